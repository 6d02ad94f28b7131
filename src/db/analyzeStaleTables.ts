import type { Db } from './Db.js';

/** The tables whose row counts and value spread decide the plans of a sync's and a search's queries. */
const plannedTables = ['pages', 'chunks', 'links', 'embed_queue', 'embeddings'];

/**
 * Does autovacuum's ANALYZE where there is no autovacuum (PGLite). Without statistics the
 * planner guesses, and after a first sync it guessed seq scans of every chunk and link for
 * each incremental batch.
 *
 * Which tables: those never analyzed, and those whose file grew by more than 10% (and 8
 * blocks) since their last analyze. PGLite keeps no change counters across processes (its
 * statistics are lost when a command exits), so the size on disk, compared with the page
 * count the last ANALYZE recorded in pg_class, stands in for them; with no vacuum on PGLite,
 * updates and deletes grow the file too. A small sample (statistics target 10, ~3,000 rows a
 * table) is enough for the plans brainsync runs, and a tenth of the default's cost.
 * Returns the tables analyzed.
 */
export async function analyzeStaleTables(db: Db): Promise<string[]> {
  if (db.capabilities.autovacuum) return [];
  const res = await db.query<{ name: string }>(
    `select c.relname as name
       from pg_class c
      where c.relname = any($1::text[]) and pg_table_is_visible(c.oid)
        and (c.reltuples < 0
             or pg_relation_size(c.oid) / current_setting('block_size')::int > 1.1 * c.relpages + 8)
      order by c.relname`,
    [plannedTables],
  );
  const stale = res.rows.map((r) => r.name);
  if (stale.length === 0) return [];
  await db.transaction(async (tx) => {
    await tx.query('set local default_statistics_target = 10');
    // Names come from the fixed list above, never from input.
    await tx.exec(`analyze ${stale.join(', ')}`);
  });
  return stale;
}
