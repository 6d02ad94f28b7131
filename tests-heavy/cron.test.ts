import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, freshBrain } from '../test/helpers/brains.js';
import { makeTempDir } from '../test/helpers/gitRepo.js';
import { CronWaves, type Mode } from './cronWaves.js';

/**
 * The cron reproducer (see README.md here): four bookmarked sources mutated between waves,
 * each wave `timeout(1)` around `brainsync sync --all --timeout B --json` with embedding on,
 * with or without faults, on PGLite and on Postgres. Sizes from the environment.
 */
const pages = Number(process.env.BRAINSYNC_HEAVY_PAGES ?? 10_000);
// 1 s under 5,000 pages, on both backends: at 2 s four Postgres sources of 500 pages kept up
// with their mutations on an idle machine, and the budget never bit. But a budget must leave
// room for work after a run's fixed cost (lock, pull, plan: git children, whose start-up grows
// with the process's memory), which on a slower host took 0.6 s of every 1 s run and left ten
// pages a wave. A resumed run's fixed cost measured 2.5–3 times the first sync's (a diff per
// unfinished run's target, git started from a process holding the brain), so the budget is at
// least six times the slowest lock + pull + plan of the first sync. The mutations are sized
// from the budget, so it still bites.
const budgetFor = (fixedSeconds: number) =>
  Number(process.env.BRAINSYNC_HEAVY_BUDGET ?? Math.max(pages >= 5_000 ? 5 : 1, Math.ceil(6 * fixedSeconds)));
// As the README's crontab (timeout 540 around --timeout 4m): a little over twice the budget,
// plus start-up. On PGLite, whose sources run one after another, it cuts most waves short.
const outerFor = (budget: number) => Number(process.env.BRAINSYNC_HEAVY_OUTER ?? Math.ceil(2.25 * budget) + 5);
const mutationWaves = Number(process.env.BRAINSYNC_HEAVY_WAVES ?? 4);
const maxQuietWaves = Number(process.env.BRAINSYNC_HEAVY_MAX_QUIET_WAVES ?? 40);
const seed = Number(process.env.BRAINSYNC_HEAVY_SEED ?? 1);
const modes = (process.env.BRAINSYNC_HEAVY_MODES ?? 'waves,faults').split(',') as Mode[];
const reportDir = process.env.BRAINSYNC_HEAVY_REPORT_DIR;
const sources = ['alpha', 'beta', 'gamma', 'delta'];

const works: string[] = [];
afterAll(async () => {
  for (const w of works) await rm(w, { recursive: true, force: true });
});

describe.each(backends())('cron waves on %s', (backend) => {
  it.each(modes)(`%s: ${sources.length} bookmarked sources × ${pages} pages converge under timeout(1)`, async (mode) => {
    const work = await makeTempDir('brainsync-heavy-');
    works.push(work);
    const brain = await freshBrain(backend);
    const terminateBackends =
      backend === 'postgres'
        ? async () => {
            const c = new pg.Client({ connectionString: brain.arg });
            await c.connect();
            try {
              const r = await c.query<{ n: number }>(
                `select count(*) filter (where pg_terminate_backend(pid))::int as n
                   from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
              );
              return r.rows[0].n;
            } finally {
              await c.end();
            }
          }
        : undefined;
    const harness = new CronWaves({
      brain, work, mode, pages, sources, budgetFor, outerFor, mutationWaves, maxQuietWaves, seed, terminateBackends,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    const report = await harness.run();
    const json = JSON.stringify(report);
    process.stdout.write(`BRAINSYNC_HEAVY_REPORT ${JSON.stringify({ ...report, waves: undefined })}\n`);
    if (reportDir) {
      await mkdir(reportDir, { recursive: true });
      await writeFile(join(reportDir, `cron-${backend}-${mode}.json`), json + '\n');
    }
    expect(harness.v.list, json).toEqual([]);
    // The budget bit: waves really ended partial on their timeout, and later waves resumed.
    expect(report.totals.partialTimeout, 'waves ended partial on their --timeout').toBeGreaterThan(0);
    expect(report.totals.resumedAfterPartial, 'a run after a partial one (its break-lock run or the next wave) skipped the pages it had written').toBeGreaterThan(0);
    expect(report.final).toMatchObject({ verifyExit: 0, bookmarksAtTips: true, pending: 0 });
    expect(report.stalenessCheck).toMatchObject({ failingExit: 1, passingExit: 0 });
    if (mode === 'faults') {
      const t = report.totals;
      expect(t.kills + t.terms + t.overlaps + t.backendTerminations, 'faults were injected').toBeGreaterThan(0);
    }
  });
});
