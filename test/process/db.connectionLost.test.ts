import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import { addSource } from '../../src/core/addSource.js';
import {
  bookmark, brainPages, describeRun, jsonOf, killAllCli, pgQuery, runCli, runsOf, startCli, waitForExit,
  waitForPages, waitUntil, withDb, type CliProcess,
} from '../helpers/cli.js';
import { connectionLostPattern, expectOrderlyExit } from './connectionLoss.js';
import { brainWithSource, corpusPages, makeCorpus, removeTemps, type Corpus } from './fixtures.js';

let corpus: Corpus;
beforeAll(async () => {
  if (backends().includes('postgres')) corpus = await makeCorpus(corpusPages.postgres, 11);
});
afterAll(removeTemps);
afterEach(killAllCli);

/**
 * Terminates the CLI's backends that are in the middle of something (a statement or a
 * transaction), as an operator's pg_terminate_backend or a failover would. Idle pool
 * connections are left alone: losing those costs nothing (the pool reconnects), and the
 * fresh connection each run releases its lock with must survive. Polls until it hits one.
 */
async function terminateBusyBackends(brain: TestBrain, run: CliProcess): Promise<number> {
  return waitUntil('a busy brainsync backend to terminate', async () => {
    const r = await pgQuery<{ n: number }>(
      brain,
      `select count(*)::int as n from (
         select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'brainsync' and datname = current_database() and state <> 'idle') t`,
    );
    return r.rows[0].n > 0 ? r.rows[0].n : undefined;
  }, { alive: run, intervalMs: 10, timeoutMs: 20_000 });
}

describe.runIf(backends().includes('postgres'))('a Postgres connection terminated mid-import', () => {
  it('ends the runs failed with a message naming the lost connection, prints every source, and the next run converges', async () => {
    const brain = await brainWithSource('postgres', 'a', corpus.dir);
    await withDb(brain, (db) => addSource(db, { name: 'b', repo: corpus.dir, cwd: process.cwd() }));
    const run = await startCli(['--json', 'sync', '--source', 'a', 'b', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'a', 300, { alive: run });
    await waitForPages(brain, 'b', 300, { alive: run });
    expect(await terminateBusyBackends(brain, run)).toBeGreaterThan(0);
    const r = await waitForExit(run, 60_000);

    expectOrderlyExit(r);
    expect(r.code, describeRun(r)).toBe(1);
    const doc = jsonOf(r);
    expect(doc.sources.map((s) => s.source).sort()).toEqual(['a', 'b']);
    const failed = doc.sources.filter((s) => s.status === 'failed');
    expect(failed.length, describeRun(r)).toBeGreaterThan(0);
    for (const s of doc.sources) {
      // A source whose connections were all idle at that moment carries on and finishes.
      if (s.status === 'synced') continue;
      expect(s, describeRun(r)).toMatchObject({ status: 'failed', message: expect.stringMatching(connectionLostPattern) });
      expect(await bookmark(brain, s.source)).toBeNull();
      expect((await runsOf(brain, s.source)).at(-1)).toMatchObject({ status: 'failed' });
    }
    // The server is up, so each run released its lock on a fresh connection.
    expect((await pgQuery(brain, 'select name from sync_locks')).rows).toEqual([]);

    const next = await runCli(['--json', 'sync', '--source', 'a', 'b'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    for (const s of jsonOf(next).sources) expect(['synced', 'up_to_date']).toContain(s.status);
    expect(await brainPages(brain, 'a')).toEqual(corpus.pages);
    expect(await brainPages(brain, 'b')).toEqual(corpus.pages);
  });
});
