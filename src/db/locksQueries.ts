import type { Queryable } from './Db.js';

export interface LockHolder {
  name: string;
  token: string;
  host: string;
  pid: number;
  command: string;
  runId: string;
  acquiredAt: Date;
  heartbeatAt: Date;
  expiresAt: Date;
  /** Seconds since acquired / since the last heartbeat, measured by the database clock. */
  ageSeconds: number;
  heartbeatAgeSeconds: number;
  expired: boolean;
}

const holderColumns = `name, token, holder_host as host, holder_pid as pid, holder_command as command, run_id as "runId",
  acquired_at as "acquiredAt", heartbeat_at as "heartbeatAt", expires_at as "expiresAt",
  extract(epoch from now() - acquired_at)::float8 as "ageSeconds",
  extract(epoch from now() - heartbeat_at)::float8 as "heartbeatAgeSeconds",
  expires_at <= now() as expired`;

export interface LockClaim {
  name: string;
  token: string;
  host: string;
  pid: number;
  command: string;
  runId: string;
  ttlSeconds: number;
  /** Take over a row held by another process whatever its expiry (the brain is exclusive to this process). */
  takeOverAny: boolean;
}

/** Insert, or take over a row whose expiry has passed, in one statement. True when ours. */
export async function claimLock(db: Queryable, c: LockClaim): Promise<boolean> {
  const res = await db.query(
    `insert into sync_locks (name, token, holder_host, holder_pid, holder_command, run_id, acquired_at, heartbeat_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, now(), now(), now() + make_interval(secs => $7))
     on conflict (name) do update set
       token = excluded.token, holder_host = excluded.holder_host, holder_pid = excluded.holder_pid,
       holder_command = excluded.holder_command, run_id = excluded.run_id,
       acquired_at = now(), heartbeat_at = now(), expires_at = excluded.expires_at
     where sync_locks.expires_at <= now()
        or ($8::boolean and not (sync_locks.holder_host = excluded.holder_host and sync_locks.holder_pid = excluded.holder_pid))
     returning token`,
    [c.name, c.token, c.host, c.pid, c.command, c.runId, c.ttlSeconds, c.takeOverAny],
  );
  return res.rowCount === 1;
}

/** Extends our lock. False when the row is no longer ours (taken over or broken). */
export async function heartbeatLock(db: Queryable, name: string, token: string, ttlSeconds: number, signal?: AbortSignal): Promise<boolean> {
  const res = await db.query(
    `update sync_locks set heartbeat_at = now(), expires_at = now() + make_interval(secs => $3)
      where name = $1 and token = $2`,
    [name, token, ttlSeconds],
    { signal },
  );
  return res.rowCount === 1;
}

export async function releaseLock(db: Queryable, name: string, token: string): Promise<void> {
  await db.query('delete from sync_locks where name = $1 and token = $2', [name, token]);
}

/**
 * Fencing: run inside a writing transaction before its writes. A missing row, or another
 * token, means we lost the lock. On Postgres the transaction first takes the source's guard
 * in shared mode (see guardLock), so a takeover waits until this transaction ends.
 */
export async function holdsLock(db: Queryable, name: string, token: string, guarded: boolean): Promise<boolean> {
  if (guarded) await db.query('select pg_advisory_xact_lock_shared($1, hashtext($2))', [lockGuardKey, name]);
  const res = await db.query('select 1 from sync_locks where name = $1 and token = $2', [name, token]);
  return res.rows.length === 1;
}

/**
 * The guard of a source's lock row (Postgres): every change of who holds the lock (a claim,
 * a release, a break) takes it exclusively in its transaction, every fenced write shares it.
 * An advisory lock rather than a row lock: Postgres queues a waiting exclusive request ahead
 * of new shared ones, so a takeover gets in after the batches already under way, while a
 * row's `for share` lets new lockers jump a waiting writer for as long as two import workers
 * overlap — which starved takeovers and heartbeats until the import ended.
 */
export async function guardLock(tx: Queryable, name: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [lockGuardKey, name]);
}

/** 'bslk': the two-int4 advisory key space (the manifest and migrations use one-bigint keys). */
const lockGuardKey = 0x62736c6b;

export async function findLock(db: Queryable, name: string): Promise<LockHolder | null> {
  const res = await db.query<LockHolder>(`select ${holderColumns} from sync_locks where name = $1`, [name]);
  return res.rows[0] ?? null;
}

export async function listLocks(db: Queryable): Promise<LockHolder[]> {
  return (await db.query<LockHolder>(`select ${holderColumns} from sync_locks order by name`)).rows;
}

/** Breaks a lock whose heartbeat is older than maxAge; the age test is in the DELETE itself. */
export async function deleteStaleLock(db: Queryable, name: string, maxAgeSeconds: number): Promise<LockHolder | null> {
  const res = await db.query<LockHolder>(
    `delete from sync_locks where name = $1 and heartbeat_at < now() - make_interval(secs => $2)
     returning ${holderColumns}`,
    [name, maxAgeSeconds],
  );
  return res.rows[0] ?? null;
}

/** Breaks a lock only if it is still held by exactly this token (the holder judged dead). */
export async function deleteLockByToken(db: Queryable, name: string, token: string): Promise<LockHolder | null> {
  const res = await db.query<LockHolder>(
    `delete from sync_locks where name = $1 and token = $2 returning ${holderColumns}`,
    [name, token],
  );
  return res.rows[0] ?? null;
}

export async function deleteLock(db: Queryable, name: string): Promise<LockHolder | null> {
  const res = await db.query<LockHolder>(`delete from sync_locks where name = $1 returning ${holderColumns}`, [name]);
  return res.rows[0] ?? null;
}
