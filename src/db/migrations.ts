import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MigrationError, SchemaTooNewError } from '../errors.js';
import type { Db, Queryable } from './Db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export const schemaDir = fileURLToPath(new URL('../../schema/', import.meta.url));

/** Arbitrary but fixed key: every brainsync process migrating one Postgres serialises on it. */
const migrationLockKey = 0x62726e73;

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(dir = schemaDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = fileName.exec(file);
    if (!m) throw new MigrationError(`${dir}${file}: migration files must be named NNNN_name.sql`);
    const sql = await readFile(new URL(file, `file://${dir.endsWith('/') ? dir : dir + '/'}`), 'utf8');
    out.push({ version: Number(m[1]), name: m[2], sql, checksum: sha256(sql) });
  }
  return out;
}

export interface MigrateResult {
  applied: number[];
  version: number;
}

/**
 * Brings the brain up to the newest migration. Cheap when nothing is pending (one query).
 * Each file runs in its own transaction; on Postgres every transaction first takes an
 * advisory lock, so several processes migrating at once apply each file exactly once.
 */
export async function migrate(db: Db, migrations?: Migration[], alreadyRead?: AppliedRow[] | null): Promise<MigrateResult> {
  const all = migrations ?? (await loadMigrations());
  const latest = all.at(-1)?.version ?? 0;
  let applied = alreadyRead !== undefined ? alreadyRead : await readApplied(db);
  if (applied) {
    checkApplied(all, applied);
    if (applied.length === all.length) return { applied: [], version: latest };
  }
  const done: number[] = [];
  for (const migration of all) {
    const ran = await db.transaction(async (tx) => {
      await lockMigrations(db, tx);
      applied = await readApplied(tx);
      if (!applied) {
        await tx.exec(bookkeepingTable);
        applied = [];
      }
      checkApplied(all, applied);
      if (applied.some((a) => a.version === migration.version)) return false;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) done.push(migration.version);
  }
  return { applied: done, version: latest };
}

/** The applied migrations, or null when the brain has no schema_migrations table yet. */
export async function readApplied(db: Queryable): Promise<AppliedRow[] | null> {
  // A plain catalog query, not to_regclass(): it sees a table that a concurrent migrator
  // committed while we waited for the lock (to_regclass may answer from a stale cache).
  const exists = await db.query<{ found: boolean }>(
    `select exists (select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relname = 'schema_migrations' and n.nspname = current_schema()) as found`,
  );
  if (!exists.rows[0]?.found) return null;
  const res = await db.query<AppliedRow>('select version, name, checksum from schema_migrations order by version');
  return res.rows;
}

function checkApplied(all: Migration[], applied: AppliedRow[]): void {
  const known = new Map(all.map((m) => [m.version, m]));
  const latest = all.at(-1)?.version ?? 0;
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m) {
      const brainVersion = applied.at(-1)?.version ?? row.version;
      throw new SchemaTooNewError(
        `this brain is at schema version ${brainVersion}, but this brainsync only knows versions up to ${latest}. ` +
          'Upgrade brainsync (every process that uses this brain) before using it.',
      );
    }
    if (m.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${String(row.version).padStart(4, '0')}_${row.name}.sql was changed after it was applied to this brain ` +
          '(checksum differs). Applied migrations must never be edited: restore the file and add a new migration instead.',
      );
    }
  }
}

async function lockMigrations(db: Db, tx: Queryable): Promise<void> {
  if (db.capabilities.advisoryLocks) await tx.query('select pg_advisory_xact_lock($1)', [migrationLockKey]);
}

const bookkeepingTable = `
create table if not exists schema_migrations (
  version    integer primary key,
  name       text not null,
  checksum   text not null,
  applied_at timestamptz not null default now()
)`;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
