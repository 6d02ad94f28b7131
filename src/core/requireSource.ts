import type { Queryable } from '../db/Db.js';
import { findSource, type SourceRow } from '../db/sourcesQueries.js';
import { NotFoundError } from '../errors.js';

/** The named source, or an error that says how to see which sources exist. */
export async function requireSource(db: Queryable, name: string): Promise<SourceRow> {
  const source = await findSource(db, name);
  if (!source) {
    throw new NotFoundError(`no source named "${name}" in this brain. \`brainsync sources list\` shows the sources it has.`);
  }
  return source;
}
