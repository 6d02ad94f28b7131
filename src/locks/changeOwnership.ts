import type { Db, Queryable, QueryOptions } from '../db/Db.js';
import { guardLock } from '../db/locksQueries.js';

/**
 * Runs a change of who holds a source's lock (claim, release, break) under the lock's guard
 * on Postgres: it waits for the fenced writes already under way and keeps new ones out until
 * it commits, so no write of the old holder lands after the change. PGLite has one connection,
 * so nothing can be under way there.
 */
export function changeOwnership<T>(db: Db, name: string, fn: (q: Queryable) => Promise<T>, opts?: QueryOptions): Promise<T> {
  if (!db.capabilities.advisoryLocks) return fn(db);
  return db.transaction(async (tx) => {
    await guardLock(tx, name);
    return fn(tx);
  }, opts);
}
