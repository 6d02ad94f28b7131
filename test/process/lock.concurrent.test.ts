import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import { dirLockPath } from '../../src/locks/dirLock.js';
import {
  brainPages, describeRun, killAllCli, pgQuery, repoPages, resultOf, startCli, waitForExit, type CliResult,
} from '../helpers/cli.js';
import { brainWithSource, makeCorpus, removeTemps, type Corpus } from './fixtures.js';

/**
 * Big enough that one import (~2.5 s on Postgres, ~5 s on PGLite) outlasts the start-up skew
 * of two processes spawned together (a few hundred ms on a loaded machine), so the two runs
 * really overlap and the second always finds the lock held.
 */
const PAGES = 2000;
const ROUNDS = 6;

let corpus: Corpus;
beforeAll(async () => {
  corpus = await makeCorpus(PAGES, 7);
});
afterAll(removeTemps);
afterEach(killAllCli);

describe.runIf(backends().includes('postgres'))('two syncs of one source on Postgres', () => {
  it('started at the same moment: exactly one imports, the other is locked (exit 75), round after round', async () => {
    const brain = await brainWithSource('postgres', 'notes', corpus.dir);
    for (let round = 1; round <= ROUNDS; round++) {
      const procs = await Promise.all([0, 1].map(() => startCli(['--json', 'sync', '--source', 'notes'], { db: brain })));
      const results = await Promise.all(procs.map((p) => waitForExit(p, 90_000)));
      const ctx = `round ${round}\n${results.map(describeRun).join('\n')}`;
      const parsed = results.map(resultOf);
      const winner = parsed.findIndex((r) => r.status === 'synced');
      const loser = 1 - winner;
      expect(winner, ctx).toBeGreaterThanOrEqual(0);
      expect(results[winner].code, ctx).toBe(0);
      expect(parsed[winner].counts.imported, ctx).toBe(PAGES);
      expect(parsed[loser].status, ctx).toBe('locked');
      expect(results[loser].code, ctx).toBe(75);
      expect(parsed[loser].holder?.pid, ctx).toBe(procs[winner].pid);
      expect(parsed[loser].counts.imported + parsed[loser].counts.read, ctx).toBe(0);
      expect(results[loser].stderr, ctx).toMatch(new RegExp(`locked by pid ${procs[winner].pid}`));

      expect(await brainPages(brain, 'notes'), ctx).toEqual(corpus.pages);
      const lock = await pgQuery(brain, 'select count(*)::int as n from sync_locks');
      expect(lock.rows[0].n, ctx).toBe(0);
      // Start the next round from scratch: the whole corpus is work again.
      await resetSource(brain, 'notes');
    }
  });
});

describe('two processes on one PGLite brain', () => {
  it('one works, the other exits 75 naming the holder, and the directory stays usable', async () => {
    const brain = await brainWithSource('pglite', 'notes', corpus.dir);
    const procs = await Promise.all([0, 1].map(() => startCli(['--json', 'sync', '--source', 'notes'], { db: brain })));
    const results: CliResult[] = await Promise.all(procs.map((p) => waitForExit(p, 90_000)));
    const ctx = results.map(describeRun).join('\n');
    const winner = results.findIndex((r) => r.code === 0);
    const loser = 1 - winner;
    expect(winner, ctx).toBeGreaterThanOrEqual(0);
    expect(resultOf(results[winner]).status, ctx).toBe('synced');
    expect(results[loser].code, ctx).toBe(75);
    expect(results[loser].stderr, ctx).toMatch(new RegExp(`in use by pid ${procs[winner].pid} on `));
    expect(results[loser].stderr, ctx).toMatch(/one process at a time/);
    expect(existsSync(dirLockPath(brain.arg)), 'the lock file is released').toBe(false);

    // A third run afterwards opens the same directory (--full: a plain no-op is answered from the
    // status manifest without opening it): nothing was corrupted.
    const third = await waitForExit(await startCli(['--json', 'sync', '--source', 'notes', '--full'], { db: brain }));
    expect(third.code, describeRun(third)).toBe(0);
    expect(resultOf(third).status).toBe('up_to_date');
    expect(await brainPages(brain, 'notes')).toEqual(await repoPages(corpus.dir));
  });
});

async function resetSource(brain: TestBrain, name: string): Promise<void> {
  await pgQuery(brain, 'delete from pages where source_id = (select id from sources where name = $1)', [name]);
  await pgQuery(brain, `update sources set bookmark_commit = null, bookmark_at = null, pending_targets = '{}' where name = $1`, [name]);
}
