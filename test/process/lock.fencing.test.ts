import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import {
  bookmark, countPages, describeRun, killAllCli, lockRow, pgQuery, resultOf, runsOf, startCli, waitForExit, waitForPages,
} from '../helpers/cli.js';
import { brainWithSource, corpusPages, makeCorpus, removeTemps, type Corpus } from './fixtures.js';

let corpus: Corpus;
beforeAll(async () => {
  if (backends().includes('postgres')) corpus = await makeCorpus(corpusPages.postgres, 5);
});
afterAll(removeTemps);
afterEach(killAllCli);

/**
 * Another holder takes the lock the way every change of holder does (claim, release, break):
 * in one transaction that first takes the source's guard (an advisory lock that fenced writes
 * share), then changes the row.
 */
const guarded = (sql: string) => `begin; select pg_advisory_xact_lock(${0x62736c6b}, hashtext('notes')); ${sql}; commit`;

const takeovers: Array<[string, (brain: TestBrain) => Promise<void>]> = [
  ['its token is replaced', async (brain) => {
    await pgQuery(brain, guarded(`update sync_locks set token = 'stolen' where name = 'notes'`));
  }],
  ['its row is deleted and another holder inserts one', async (brain) => {
    await pgQuery(brain, guarded(
      `delete from sync_locks where name = 'notes';
       insert into sync_locks (name, token, holder_host, holder_pid, holder_command, run_id, acquired_at, heartbeat_at, expires_at)
       values ('notes', 'stolen', 'elsewhere.example', 4242, 'brainsync sync --all', 'other-run', now(), now(), now() + interval '60 seconds')`,
    ));
  }],
];

describe.runIf(backends().includes('postgres'))('a run whose lock is taken over mid-import (Postgres)', () => {
  it.each(takeovers)('writes no further page when %s, keeps the bookmark, and ends partial (lock_lost, exit 75)', async (_, takeOver) => {
    const brain = await brainWithSource('postgres', 'notes', corpus.dir);
    // 2 workers: two batches of 100 pages can be in flight at any moment.
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'notes', 300, { alive: run });
    await takeOver(brain);
    const atTakeover = await countPages(brain, 'notes');
    const r = await waitForExit(run, 30_000);
    const after = await countPages(brain, 'notes');

    // The bound is zero, not "the batches in flight": every page write runs in a transaction
    // that first takes the source's guard in shared mode, then reads the lock row with the
    // run's token. The takeover's exclusive guard waits for every batch that had already passed
    // its fence to commit — those pages are in `atTakeover` — and keeps later ones waiting; they
    // then see the new row and write nothing. (Without the guard, the bound would be
    // workers × batch size = 2 × 100 pages.)
    expect(after, `pages grew from ${atTakeover} to ${after} after the lock was taken`).toBe(atTakeover);
    expect(after).toBeLessThan(corpus.pages.size);

    expect(r.code, describeRun(r)).toBe(75);
    const res = resultOf(r);
    expect(res).toMatchObject({ status: 'partial', reason: 'lock_lost' });
    expect(res.message).toMatch(/lock/);
    expect(await bookmark(brain, 'notes')).toBeNull();
    // Its release must not remove the new holder's row.
    expect((await lockRow(brain, 'notes'))?.token).toBe('stolen');
    const runs = await runsOf(brain, 'notes');
    expect(runs.at(-1)).toMatchObject({ status: 'partial', reason: 'lock_lost', holder_pid: run.pid });
  });
});
