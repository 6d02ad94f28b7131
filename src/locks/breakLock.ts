import type { Db } from '../db/Db.js';
import { deleteLock, deleteLockByToken, deleteStaleLock, findLock, type LockHolder } from '../db/locksQueries.js';
import { changeOwnership } from './changeOwnership.js';
import { endedOnThisHost } from './processAlive.js';

export interface BreakVerdict {
  source: string;
  verdict: 'broken' | 'held' | 'no_lock';
  /** In words: why it was broken, or who still holds it. */
  detail: string;
  holder?: { host: string; pid: number; command: string; since: string; heartbeatAgeSeconds: number };
}

/**
 * Breaks a source's lock only when its holder is provably gone: a dead pid on this host, or
 * no heartbeat for maxAge (tested inside the DELETE, so a holder that beats meanwhile keeps
 * it). `force` breaks whatever is there.
 */
export async function breakLock(db: Db, name: string, opts: { maxAgeSeconds: number; force: boolean }): Promise<BreakVerdict> {
  if (opts.force) {
    const removed = await changeOwnership(db, name, (q) => deleteLock(q, name));
    return removed ? verdict(name, 'broken', `force-broken; it was held by ${describeHolder(removed)}`, removed) : none(name);
  }
  const current = await findLock(db, name);
  if (!current) return none(name);
  if (endedOnThisHost(current.host, current.pid)) {
    const removed = await changeOwnership(db, name, (q) => deleteLockByToken(q, name, current.token));
    if (removed) return verdict(name, 'broken', `broken: holder pid ${removed.pid} on this host is gone`, removed);
  }
  const stale = await changeOwnership(db, name, (q) => deleteStaleLock(q, name, opts.maxAgeSeconds));
  if (stale) {
    return verdict(name, 'broken', `broken: no heartbeat for ${Math.round(stale.heartbeatAgeSeconds)}s (${describeHolder(stale)})`, stale);
  }
  const still = await findLock(db, name);
  if (!still) return none(name);
  return verdict(
    name,
    'held',
    `held by a live holder, ${describeHolder(still)}; last heartbeat ${Math.round(still.heartbeatAgeSeconds)}s ago. Not broken.`,
    still,
  );
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}${h.command ? ` (${h.command})` : ''} since ${h.acquiredAt.toISOString()}`;
}

/** Whether a lock's holder looks alive, as `brainsync locks` reports it. */
export function holderState(h: LockHolder): 'alive' | 'dead' | 'expired' {
  if (endedOnThisHost(h.host, h.pid)) return 'dead';
  return h.expired ? 'expired' : 'alive';
}

function verdict(source: string, v: BreakVerdict['verdict'], detail: string, h: LockHolder): BreakVerdict {
  return {
    source,
    verdict: v,
    detail,
    holder: {
      host: h.host, pid: h.pid, command: h.command, since: h.acquiredAt.toISOString(),
      heartbeatAgeSeconds: Math.round(h.heartbeatAgeSeconds),
    },
  };
}

function none(source: string): BreakVerdict {
  return { source, verdict: 'no_lock', detail: 'no lock to break' };
}
