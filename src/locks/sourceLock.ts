import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RunStopped } from '../core/abort.js';
import { isConnectionError } from '../db/connectionErrors.js';
import { finishStatementMs, type Db, type Queryable } from '../db/Db.js';
import { claimLock, findLock, heartbeatLock, holdsLock, releaseLock, type LockHolder } from '../db/locksQueries.js';
import { errorMessage } from '../errors.js';
import { changeOwnership } from './changeOwnership.js';
import type { LockSettings } from './lockSettings.js';

export { defaultLockTtlSeconds, lockSettingsForTtl, type LockSettings } from './lockSettings.js';

export interface SourceLock {
  name: string;
  token: string;
  runId: string;
  /** Aborts with RunStopped('lock_lost') when a heartbeat finds the row is no longer ours. */
  signal: AbortSignal;
  /** Call inside every writing transaction, before its writes. */
  fence(tx: Queryable): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  settings: LockSettings;
  command: string;
  warn?: (msg: string) => void;
}

export type AcquireResult = { ok: true; lock: SourceLock } | { ok: false; holder: LockHolder | null };

export async function acquireSourceLock(db: Db, name: string, opts: AcquireOptions): Promise<AcquireResult> {
  const token = randomBytes(16).toString('hex');
  const runId = randomUUID();
  const claimed = await changeOwnership(db, name, (q) => claimLock(q, {
    name,
    token,
    runId,
    host: hostname(),
    pid: process.pid,
    command: opts.command,
    ttlSeconds: opts.settings.ttlSeconds,
    takeOverAny: db.capabilities.exclusive,
  }));
  if (!claimed) return { ok: false, holder: await findLock(db, name) };
  return { ok: true, lock: holdLock(db, name, token, runId, opts) };
}

function holdLock(db: Db, name: string, token: string, runId: string, opts: AcquireOptions): SourceLock {
  const lost = new AbortController();
  const markLost = () => {
    if (!lost.signal.aborted) {
      lost.abort(new RunStopped('lock_lost', `the lock on source "${name}" was taken by another run`));
    }
  };
  let beating = false;
  const releasing = new AbortController();
  const beat = async () => {
    if (beating || lost.signal.aborted) return;
    beating = true;
    try {
      // Bounded by the TTL: a beat the database never answers must not hold a connection past it.
      const signal = AbortSignal.any([AbortSignal.timeout(opts.settings.ttlSeconds * 1000), releasing.signal]);
      if (!(await heartbeatLock(db, name, token, opts.settings.ttlSeconds, signal))) markLost();
    } catch (err) {
      // A dropped connection or a slow database: try again at the next beat. Writes stay
      // safe meanwhile because each one checks the token (fencing).
      opts.warn?.(`heartbeat for source "${name}" failed (${errorMessage(err)}); retrying`);
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), opts.settings.heartbeatSeconds * 1000);
  let released = false;
  const lock: SourceLock = {
    name,
    token,
    runId,
    signal: lost.signal,
    async fence(tx) {
      if (!(await holdsLock(tx, name, token, db.capabilities.advisoryLocks))) {
        markLost();
        throw lost.signal.reason;
      }
    },
    async release() {
      clearInterval(timer);
      releasing.abort();
      if (released) return;
      released = true;
      held.delete(lock);
      // After a server restart the pool can hand out an idle connection that died before it
      // heard: one more try gets a fresh one. The delete matches our token, so twice is safe.
      // Each try is bounded: a database that does not answer leaves the lock to expire.
      const release = () => changeOwnership(db, name, (q) => releaseLock(q, name, token), { signal: AbortSignal.timeout(finishStatementMs) });
      await release().catch((err: unknown) => {
        if (!isConnectionError(err)) throw err;
        return release();
      });
    },
  };
  held.add(lock);
  return lock;
}

/** Locks this process holds, for the last-resort release when a second signal forces an exit. */
const held = new Set<SourceLock>();

export async function releaseHeldLocks(): Promise<void> {
  await Promise.allSettled([...held].map((l) => l.release()));
}
