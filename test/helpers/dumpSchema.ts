import type { Queryable } from '../../src/db/Db.js';

/**
 * A stable text dump of the user schema (tables, columns, constraints, indexes), the same on
 * PGLite and Postgres, compared with test/fixtures/schema.snapshot.txt.
 * Regenerate with: BRAINSYNC_UPDATE_SNAPSHOT=1 npx vitest run --project integration migrations
 */
export async function dumpSchema(db: Queryable): Promise<string> {
  const columns = await db.query<{ t: string; c: string; type: string; nullable: string; def: string | null; gen: string | null }>(
    `select table_name as t, column_name as c, data_type as type, is_nullable as nullable,
            column_default as def, generation_expression as gen
       from information_schema.columns where table_schema = 'public'
      order by table_name, ordinal_position`,
  );
  const constraints = await db.query<{ t: string; name: string; def: string }>(
    `select conrelid::regclass::text as t, conname as name, pg_get_constraintdef(oid) as def
       from pg_constraint where connamespace = 'public'::regnamespace and contype <> 'n'
      order by 1, 2`,
  );
  const indexes = await db.query<{ def: string }>(
    `select indexdef as def from pg_indexes where schemaname = 'public' order by tablename, indexname`,
  );
  const lines: string[] = [];
  let table = '';
  for (const col of columns.rows) {
    if (col.t !== table) lines.push(`table ${(table = col.t)}`);
    const extra = col.gen ? ` generated as ${col.gen}` : col.def ? ` default ${col.def}` : '';
    lines.push(`  ${col.c} ${col.type}${col.nullable === 'NO' ? ' not null' : ''}${extra}`);
  }
  for (const c of constraints.rows) lines.push(`constraint ${c.t}.${c.name} ${c.def}`);
  for (const i of indexes.rows) lines.push(`index ${i.def}`);
  return lines.join('\n') + '\n';
}
