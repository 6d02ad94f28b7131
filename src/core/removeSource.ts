import { LockBusyError } from '../errors.js';
import { endedOnThisHost } from '../locks/processAlive.js';
import type { Db } from '../db/Db.js';
import { dropSourceVectors } from '../db/embedQueries.js';
import { deleteSource, sourceCounts, type SourceRow } from '../db/sourcesQueries.js';
import { requireSource } from './requireSource.js';

export interface RemoveSourceResult {
  source: SourceRow;
  pages: number;
  chunks: number;
  failures: number;
  removed: boolean;
}

/** Without `confirm`, reports what would go and changes nothing. */
export async function removeSource(db: Db, name: string, confirm: boolean): Promise<RemoveSourceResult> {
  const source = await requireSource(db, name);
  const counts = (await sourceCounts(db, source.id)).get(source.id);
  const result = { source, pages: counts?.pages ?? 0, chunks: counts?.chunks ?? 0, failures: counts?.failures ?? 0 };
  if (!confirm) return { ...result, removed: false };
  await db.transaction(async (tx) => {
    const held = await tx.query<{ host: string; pid: number }>(
      'select holder_host as host, holder_pid as pid from sync_locks where name = $1 and expires_at > now()',
      [source.name],
    );
    const holder = held.rows[0];
    // A holder that provably ended does not hold the source: on PGLite this process holds the
    // brain itself, so no run is in progress; elsewhere a dead pid on this host has ended.
    const gone = holder && (db.capabilities.exclusive || endedOnThisHost(holder.host, holder.pid));
    if (holder && !gone) {
      throw new LockBusyError(
        `source "${name}" is being synced by pid ${holder.pid} on ${holder.host}; nothing was removed. Try again when that run ends.`,
      );
    }
    await tx.query('delete from sync_locks where name = $1', [source.name]);
    await dropSourceVectors(tx, source.id);
    await deleteSource(tx, source.id);
  });
  return { ...result, removed: true };
}
