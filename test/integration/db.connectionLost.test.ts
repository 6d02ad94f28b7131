import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/db/connectionErrors.js';
import type { Db } from '../../src/db/Db.js';
import { findLock } from '../../src/db/locksQueries.js';
import { acquireSourceLock } from '../../src/locks/sourceLock.js';
import { backends, freshBrain, openTestDb, type TestBrain } from '../helpers/brains.js';
import { pgQuery, sleep, waitUntil } from '../helpers/cli.js';

async function terminate(brain: TestBrain, pid: number): Promise<void> {
  const r = await pgQuery<{ ok: boolean }>(brain, 'select pg_terminate_backend($1) as ok', [pid]);
  expect(r.rows[0].ok).toBe(true);
}

async function backendPid(db: Pick<Db, 'query'>): Promise<number> {
  return (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
}

/** The brain still answers (the pool replaced the dead connection) and closes without waiting on a leaked client. */
async function expectUsableThenClose(db: Db): Promise<void> {
  expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
  await db.close();
}

// An unheard 'error' event on a pg client would crash this test process: vitest reports it
// as an unhandled error and fails the run, so each test passing shows the error was routed.
describe.runIf(backends().includes('postgres'))('a Postgres connection that dies while brainsync holds it', () => {
  it('rejects the statement in flight with a connection error', async () => {
    const brain = await freshBrain('postgres');
    const db = await openTestDb(brain);
    const pending = db.query('select pg_sleep(30) /* brainsync-test-sleeper */').then(() => null, (e: unknown) => e);
    const pid = await waitUntil('the statement to run', async () => {
      const r = await pgQuery<{ pid: number }>(brain, `select pid from pg_stat_activity where query like '%brainsync-test-sleeper%' and pid <> pg_backend_pid()`);
      return r.rows[0]?.pid;
    });
    await terminate(brain, pid);
    const err = await pending;
    expect(isConnectionError(err), String(err)).toBe(true);
    await expectUsableThenClose(db);
  });

  it('fails the next statement of a transaction whose connection died between two, and never reuses that connection', async () => {
    const brain = await freshBrain('postgres');
    const db = await openTestDb(brain);
    let dead = 0;
    const err = await db.transaction(async (tx) => {
      dead = await backendPid(tx);
      await terminate(brain, dead);
      // Let the client hear the server's goodbye while nothing of ours is in flight.
      await sleep(200);
      await tx.query('select 1');
    }).then(() => null, (e: unknown) => e);
    expect(isConnectionError(err), String(err)).toBe(true);
    for (let i = 0; i < 3; i++) expect(await backendPid(db)).not.toBe(dead);
    await expectUsableThenClose(db);
  });

  it('a heartbeat whose connection is terminated mid-statement warns, retries on a new one and keeps the lock', async () => {
    const brain = await freshBrain('postgres');
    const db = await openTestDb(brain);
    const warnings: string[] = [];
    const acquired = await acquireSourceLock(db, 'notes', {
      settings: { ttlSeconds: 6, heartbeatSeconds: 0.05 },
      command: 'test',
      warn: (m) => warnings.push(m),
    });
    if (!acquired.ok) throw new Error('no lock');
    const { lock } = acquired;
    // Hold the lock row so that the next heartbeat's update waits on it: a beat in flight.
    const blocker = new pg.Client({ connectionString: brain.arg });
    await blocker.connect();
    let heldAt: Date;
    try {
      await blocker.query('begin');
      const held = await blocker.query<{ at: Date }>(`select heartbeat_at as at from sync_locks where name = 'notes' for update`);
      heldAt = held.rows[0].at;
      const pid = await waitUntil('a heartbeat waiting on the row', async () => {
        const r = await pgQuery<{ pid: number }>(
          brain,
          `select pid from pg_stat_activity where wait_event_type = 'Lock' and query like '%set heartbeat_at%' and datname = current_database()`,
        );
        return r.rows[0]?.pid;
      });
      await terminate(brain, pid);
      await waitUntil('the heartbeat to report the failure', () => warnings.length > 0);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    expect(warnings[0]).toMatch(/heartbeat for source "notes" failed \(terminating connection due to administrator command\); retrying/);
    await waitUntil('a later heartbeat to land', async () => (await findLock(db, 'notes'))!.heartbeatAt > heldAt);
    expect(lock.signal.aborted).toBe(false);
    await lock.release();
    expect(await findLock(db, 'notes')).toBeNull();
    await expectUsableThenClose(db);
  });
});
