import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import {
  describeRun, killAllCli, pgQuery, resultOf, sendSignal, sleep, startCli, waitForExit, waitUntil, type CliProcess,
} from '../helpers/cli.js';
import { removeTemps, useOneNoteBrains } from './fixtures.js';

/**
 * The run is held at its lock claim by a test transaction that locks the sync_locks table, so
 * a signal reaches it at a known point and its cleanup cannot finish before we let it.
 */
async function heldAtLockClaim(brain: TestBrain): Promise<{ run: CliProcess; blocker: pg.Client }> {
  const blocker = new pg.Client({ connectionString: brain.arg });
  await blocker.connect();
  await blocker.query('begin');
  await blocker.query('lock table sync_locks in access exclusive mode');
  const run = await startCli(['--json', 'sync', '--source', 'notes'], { db: brain });
  await waitUntil('the run to wait for the sync_locks table', async () => {
    const r = await pgQuery(
      brain,
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike '%sync_locks%'`,
    );
    return r.rows[0].n >= 1;
  }, { alive: run, timeoutMs: 30_000 });
  return { run, blocker };
}

async function release(blocker: pg.Client): Promise<void> {
  await blocker.query('rollback').catch(() => {});
  await blocker.end();
}

describe.runIf(backends().includes('postgres'))('SIGHUP (a closing terminal)', () => {
  afterEach(killAllCli);
  afterAll(removeTemps);
  const brain = useOneNoteBrains('postgres');

  it('stops a run like SIGTERM does: its result is printed and the exit is 75', async () => {
    const { run, blocker } = await heldAtLockClaim(await brain());
    try {
      sendSignal(run, 'SIGHUP');
      await sleep(200);
    } finally {
      await release(blocker);
    }
    const r = await waitForExit(run, 30_000);
    expect(r.code, describeRun(r)).toBe(75);
    expect(resultOf(r)).toMatchObject({ status: 'partial', reason: 'signal' });
  });

  it('a second SIGHUP exits at once with 129 (128 + SIGHUP), not 143', async () => {
    const { run, blocker } = await heldAtLockClaim(await brain());
    try {
      sendSignal(run, 'SIGHUP');
      await sleep(1500); // past the grace in which a repeat counts as the same signal
      expect(run.done(), describeRun(run)).toBe(false);
      const secondAt = sendSignal(run, 'SIGHUP');
      const r = await waitForExit(run, 10_000);
      expect(r.code, describeRun(r)).toBe(129);
      expect(Date.now() - secondAt).toBeLessThan(3500);
      expect(r.stderr).toMatch(/second signal/);
    } finally {
      await release(blocker);
    }
  });
});
