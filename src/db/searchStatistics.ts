import type { Queryable } from './Db.js';

/**
 * Planner statistics for the tables search reads. A server's autovacuum keeps them; PGLite runs
 * no autovacuum, so a PGLite brain has none until someone runs ANALYZE, and without them the
 * planner guesses ~100 rows per table: at 10,000 pages it probed the embeddings index 57,000
 * times (0.94 s) where a hash join takes 0.29 s. ANALYZE samples a bounded number of rows, so
 * it costs about the same (1–2 s) at any size; it runs here once, when a table was never analysed.
 * Later growth is still seen: the planner scales the sampled row density by the table's current size.
 */
export async function ensureSearchStatistics(db: Queryable): Promise<boolean> {
  const res = await db.query<{ missing: boolean }>(
    `select exists (select 1 from pg_class where oid in ('pages'::regclass, 'chunks'::regclass, 'embeddings'::regclass)
                      and reltuples < 0) as missing`,
  );
  if (!res.rows[0]?.missing) return false;
  await db.exec('analyze pages, chunks, embeddings');
  return true;
}
