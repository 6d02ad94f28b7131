import type { Queryable } from './Db.js';

export interface FileFailure {
  path: string;
  blobOid: string;
  code: string;
  message: string;
}

export interface FailureRow extends FileFailure {
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** How many times the file was tried and failed (a known failure is not retried until its blob changes). */
  attempts: number;
}

export async function listFailures(db: Queryable, sourceId: number): Promise<FailureRow[]> {
  const res = await db.query<FailureRow>(
    `select path, blob_oid as "blobOid", code, message, first_seen_at as "firstSeenAt", last_seen_at as "lastSeenAt", attempts
       from sync_failures where source_id = $1 order by path`,
    [sourceId],
  );
  return res.rows;
}

export interface SourceFailureRow extends FailureRow {
  source: string;
}

/** Recorded failures of the given sources (every source when null), by source name and path. */
export async function listFailuresOfSources(db: Queryable, sourceIds: number[] | null): Promise<SourceFailureRow[]> {
  const res = await db.query<SourceFailureRow>(
    `select s.name as source, f.path, f.blob_oid as "blobOid", f.code, f.message,
            f.first_seen_at as "firstSeenAt", f.last_seen_at as "lastSeenAt", f.attempts
       from sync_failures f join sources s on s.id = f.source_id
      where $1::bigint[] is null or f.source_id = any($1::bigint[])
      order by s.name, f.path`,
    [sourceIds],
  );
  return res.rows;
}

/**
 * Records (or refreshes) failed files in one statement. A path already recorded keeps its
 * first-seen time and counts one more attempt. A failure record must never fail
 * itself (the file would then block its batch for good): text the database cannot store is
 * made storable, and a path given twice keeps its last failure.
 */
export async function recordFailures(db: Queryable, sourceId: number, given: FileFailure[]): Promise<void> {
  if (given.length === 0) return;
  const byPath = new Map(given.map((f) => [storable(f.path), { ...f, path: storable(f.path), message: storable(f.message) }]));
  const failures = [...byPath.values()];
  await db.query(
    `insert into sync_failures (source_id, path, blob_oid, code, message)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[])
     on conflict (source_id, path) do update set
       blob_oid = excluded.blob_oid, code = excluded.code, message = excluded.message, last_seen_at = now(),
       attempts = sync_failures.attempts + 1`,
    [
      sourceId,
      failures.map((f) => f.path),
      failures.map((f) => f.blobOid),
      failures.map((f) => f.code),
      failures.map((f) => f.message),
    ],
  );
}

/** A file that imported cleanly, or is gone, has no failure any more; returns how many were forgotten. */
export async function clearFailures(db: Queryable, sourceId: number, paths: string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const res = await db.query('delete from sync_failures where source_id = $1 and path = any($2::text[])', [sourceId, paths]);
  return res.rowCount ?? 0;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Postgres text holds neither NUL nor lone UTF-16 surrogates. */
function storable(text: string): string {
  return text.replaceAll('\0', '\\0').replace(loneSurrogate, '\uFFFD');
}
