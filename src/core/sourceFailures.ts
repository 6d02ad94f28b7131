import type { Queryable } from '../db/Db.js';
import { listFailuresOfSources, type SourceFailureRow } from '../db/failuresQueries.js';
import { requireSource } from './requireSource.js';

/**
 * Recorded file failures of the named sources (every source when none is named). An unknown
 * name is refused before anything is listed.
 */
export async function sourceFailures(db: Queryable, names: string[]): Promise<SourceFailureRow[]> {
  if (names.length === 0) return listFailuresOfSources(db, null);
  const ids: number[] = [];
  for (const name of new Set(names)) ids.push((await requireSource(db, name)).id);
  return listFailuresOfSources(db, ids);
}
