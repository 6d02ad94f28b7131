import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { findLock } from '../../src/db/locksQueries.js';
import { breakLock } from '../../src/locks/breakLock.js';
import { acquireSourceLock, lockSettingsForTtl } from '../../src/locks/sourceLock.js';
import { RunStopped } from '../../src/core/abort.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';

const settings = lockSettingsForTtl(6);

describe.each(backends())('source locks on %s', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDb(await freshBrain(backend));
  });
  afterEach(async () => {
    await db.close();
  });

  it('lets one holder in and reports the holder to the next', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings, command: 'a' });
    const b = await acquireSourceLock(db, 'notes', { settings, command: 'b' });
    expect(a.ok).toBe(true);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.holder?.pid).toBe(process.pid);
    if (a.ok) await a.lock.release();
    expect(await findLock(db, 'notes')).toBeNull();
  });

  it('takes over a lock whose expiry has passed, and the old holder loses it at its next heartbeat', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings, command: 'a' });
    if (!a.ok) throw new Error('no lock');
    await db.query("update sync_locks set expires_at = now() - interval '1 second', heartbeat_at = now() - interval '1 minute'");
    const b = await acquireSourceLock(db, 'notes', { settings, command: 'b' });
    expect(b.ok).toBe(true);
    await expect(db.transaction((tx) => a.lock.fence(tx))).rejects.toBeInstanceOf(RunStopped);
    expect(a.lock.signal.aborted).toBe(true);
    expect((a.lock.signal.reason as RunStopped).reason).toBe('lock_lost');
    if (b.ok) await b.lock.release();
    await a.lock.release();
  });

  it('aborts the holder with lock_lost when a heartbeat finds the row gone', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings: { ttlSeconds: 6, heartbeatSeconds: 0.05 }, command: 'a' });
    if (!a.ok) throw new Error('no lock');
    await db.query('delete from sync_locks');
    const deadline = Date.now() + 5000;
    while (!a.lock.signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((a.lock.signal.reason as RunStopped).reason).toBe('lock_lost');
    await a.lock.release();
  });

  it('retries a heartbeat that errors, logs it, and keeps the lock', async () => {
    let failures = 2;
    const flaky = Object.create(db) as Db;
    flaky.query = (async (sql: string, params?: unknown[], opts?: object) => {
      if (sql.includes('set heartbeat_at') && failures-- > 0) throw new Error('connection terminated unexpectedly');
      return db.query(sql, params, opts);
    }) as Db['query'];
    const warnings: string[] = [];
    const a = await acquireSourceLock(flaky, 'notes', {
      settings: { ttlSeconds: 6, heartbeatSeconds: 0.05 },
      command: 'a',
      warn: (m) => warnings.push(m),
    });
    if (!a.ok) throw new Error('no lock');
    const before = (await findLock(db, 'notes'))!.heartbeatAt.getTime();
    const deadline = Date.now() + 5000;
    while ((await findLock(db, 'notes'))!.heartbeatAt.getTime() === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings[0]).toMatch(/heartbeat for source "notes" failed \(connection terminated unexpectedly\); retrying/);
    expect(a.lock.signal.aborted).toBe(false);
    expect((await findLock(db, 'notes'))!.heartbeatAt.getTime()).toBeGreaterThan(before);
    await a.lock.release();
  });

  it('never breaks a lock with a fresh heartbeat, but breaks a backdated one', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings, command: 'a' });
    if (!a.ok) throw new Error('no lock');
    const fresh = await breakLock(db, 'notes', { maxAgeSeconds: 30, force: false });
    expect(fresh.verdict).toBe('held');
    expect(fresh.detail).toMatch(/live holder/);
    await db.query("update sync_locks set heartbeat_at = now() - interval '1 hour'");
    const stale = await breakLock(db, 'notes', { maxAgeSeconds: 30, force: false });
    expect(stale.verdict).toBe('broken');
    expect(await findLock(db, 'notes')).toBeNull();
    await a.lock.release();
  });

  it('breaks the lock of a dead pid on this host at once', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings, command: 'a' });
    if (!a.ok) throw new Error('no lock');
    await db.query('update sync_locks set holder_pid = 999999');
    const v = await breakLock(db, 'notes', { maxAgeSeconds: 3600, force: false });
    expect(v.verdict).toBe('broken');
    expect(v.detail).toMatch(/pid 999999 on this host is gone/);
    await a.lock.release();
  });

  it('force-breaks a live lock and says what it broke', async () => {
    const a = await acquireSourceLock(db, 'notes', { settings, command: 'holder-cmd' });
    if (!a.ok) throw new Error('no lock');
    const v = await breakLock(db, 'notes', { maxAgeSeconds: 3600, force: true });
    expect(v.verdict).toBe('broken');
    expect(v.detail).toMatch(/force-broken; it was held by pid \d+ on .*holder-cmd/);
    await a.lock.release();
  });
});

describe('source locks on an exclusive brain', () => {
  it('takes over at once a lock row left by another process, since no other process can have the brain open', async () => {
    const db = await openTestDb(await freshBrain('pglite'));
    try {
      expect(db.capabilities.exclusive).toBe(true);
      const a = await acquireSourceLock(db, 'notes', { settings, command: 'killed run' });
      if (!a.ok) throw new Error('no lock');
      await db.query('update sync_locks set holder_pid = 999999');
      const b = await acquireSourceLock(db, 'notes', { settings, command: 'next run' });
      expect(b.ok).toBe(true);
      if (b.ok) await b.lock.release();
      await a.lock.release();
    } finally {
      await db.close();
    }
  });
});
