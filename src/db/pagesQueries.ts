import type { Queryable } from './Db.js';
import { dropUnusedHashes, enqueueChunkHashes } from './embedQueries.js';

/** One parsed page as written to the brain. */
export interface PageWrite {
  path: string;
  slug: string;
  title: string;
  type: string | null;
  tags: string[];
  frontmatter: Record<string, unknown>;
  body: string;
  blobOid: string;
  contentHash: string;
  chunks: { ordinal: number; headingPath: string; text: string; hash: string }[];
  links: { targetSlug: string; label: string | null; kind: 'wiki' | 'markdown' }[];
}

/** (path, blob oid) of the given paths that are stored for a source: the skip lookup of a batch. */
export async function storedBlobOids(
  db: Queryable,
  sourceId: number,
  paths: string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const res = await db.query<{ path: string; oid: string }>(
    'select path, blob_oid as oid from pages where source_id = $1 and path = any($2::text[])',
    [sourceId, paths],
    { signal },
  );
  return new Map(res.rows.map((r) => [r.path, r.oid]));
}

/** Every (path, blob oid) of a source: what a full compare diffs the target's tree against. */
export async function allBlobOids(db: Queryable, sourceId: number): Promise<Map<string, string>> {
  const res = await db.query<{ path: string; oid: string }>(
    'select path, blob_oid as oid from pages where source_id = $1',
    [sourceId],
  );
  return new Map(res.rows.map((r) => [r.path, r.oid]));
}

/** How many of the given paths are stored pages of a source. */
export async function countStoredPaths(db: Queryable, sourceId: number, paths: string[]): Promise<number> {
  const res = await db.query<{ n: number }>(
    'select count(*)::int as n from pages where source_id = $1 and path = any($2::text[])',
    [sourceId, paths],
  );
  return res.rows[0]?.n ?? 0;
}

export async function countPages(db: Queryable, sourceId: number): Promise<number> {
  const res = await db.query<{ n: number }>('select count(*)::int as n from pages where source_id = $1', [sourceId]);
  return res.rows[0]?.n ?? 0;
}

/**
 * Writes pages with one multi-row statement per table (unnest of arrays: one round-trip
 * whatever the batch size, and no value ever spliced into SQL). Chunks and links of the
 * written pages are replaced. Existing rows are updated and new ones inserted by separate
 * parts of one statement rather than by INSERT … ON CONFLICT, which would compute the
 * generated search vector twice for every updated page (once for the rejected insert).
 */
/** What an upsert did: paths of pages that are new to the source, and of pages it rewrote. */
export interface UpsertedPaths {
  added: string[];
  changed: string[];
}

/**
 * `exclusive`: the caller's connection is the only one to the database (PGLite), so the pages
 * these rows point at — written or looked up by this very transaction — cannot go away before
 * it commits. The per-row foreign-key checks of the chunk, link and queue rows are then skipped
 * for those three statements (session_replication_role = replica, which needs a superuser:
 * PGLite's user is one); they were ~18% of a PGLite first sync. Postgres keeps its checks.
 */
export async function upsertPages(
  db: Queryable,
  sourceId: number,
  pages: PageWrite[],
  opts: { exclusive?: boolean } = {},
): Promise<UpsertedPaths> {
  if (pages.length === 0) return { added: [], changed: [] };
  const ids = await db.query<{ id: number; path: string; inserted: boolean }>(
    `with u as (
       select * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         as u(path, slug, title, type, tags, fm, body, oid, hash)
     ), updated as (
       update pages p set slug = u.slug, title = u.title, type = u.type, tags = coalesce(u.tags::text[], '{}'),
              frontmatter = u.fm::jsonb, body = u.body, blob_oid = u.oid, content_hash = u.hash, updated_at = now()
         from u where p.source_id = $1 and p.path = u.path
       returning p.id, p.path
     ), inserted as (
       insert into pages (source_id, path, slug, title, type, tags, frontmatter, body, blob_oid, content_hash)
       select $1, u.path, u.slug, u.title, u.type, coalesce(u.tags::text[], '{}'), u.fm::jsonb, u.body, u.oid, u.hash
         from u where not exists (select 1 from pages p where p.source_id = $1 and p.path = u.path)
       returning id, path
     )
     select id, path, false as inserted from updated union all select id, path, true as inserted from inserted`,
    [
      sourceId,
      pages.map((p) => p.path),
      pages.map((p) => p.slug),
      pages.map((p) => p.title),
      pages.map((p) => p.type),
      pages.map((p) => arrayLiteral(p.tags)),
      pages.map((p) => JSON.stringify(p.frontmatter)),
      pages.map((p) => p.body),
      pages.map((p) => p.blobOid),
      pages.map((p) => p.contentHash),
    ],
  );
  const idOf = new Map(ids.rows.map((r) => [r.path, r.id]));
  const pageIds = pages.map((p) => idOf.get(p.path)!);
  const replaced = await db.query<{ h: string }>('delete from chunks where page_id = any($1::bigint[]) returning chunk_hash as h', [pageIds]);
  await db.query('delete from links where page_id = any($1::bigint[])', [pageIds]);
  if (opts.exclusive) await db.query('set local session_replication_role = replica');
  await insertChunks(db, pages, pageIds);
  await insertLinks(db, pages, pageIds);
  // Every written chunk may need a vector; the embed phase drops those that already have one.
  const written = pages.flatMap((p) => p.chunks.map((c) => c.hash));
  await enqueueChunkHashes(db, sourceId, written);
  if (opts.exclusive) await db.query('set local session_replication_role = origin');
  // The sections an edit removed: their queue entries and vectors, when nothing else has them.
  const kept = new Set(written);
  await dropUnusedHashes(db, sourceId, replaced.rows.map((r) => r.h).filter((h) => !kept.has(h)));
  return {
    added: ids.rows.filter((r) => r.inserted).map((r) => r.path),
    changed: ids.rows.filter((r) => !r.inserted).map((r) => r.path),
  };
}

async function insertChunks(db: Queryable, pages: PageWrite[], pageIds: number[]): Promise<void> {
  const pageId: number[] = [], ordinal: number[] = [], heading: string[] = [], text: string[] = [], hash: string[] = [];
  pages.forEach((p, i) => {
    for (const c of p.chunks) {
      pageId.push(pageIds[i]);
      ordinal.push(c.ordinal);
      heading.push(c.headingPath);
      text.push(c.text);
      hash.push(c.hash);
    }
  });
  if (pageId.length === 0) return;
  await db.query(
    `insert into chunks (page_id, ordinal, heading_path, text, chunk_hash)
     select * from unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[])`,
    [pageId, ordinal, heading, text, hash],
  );
}

async function insertLinks(db: Queryable, pages: PageWrite[], pageIds: number[]): Promise<void> {
  const pageId: number[] = [], target: string[] = [], label: (string | null)[] = [], kind: string[] = [];
  pages.forEach((p, i) => {
    for (const l of p.links) {
      pageId.push(pageIds[i]);
      target.push(l.targetSlug);
      label.push(l.label);
      kind.push(l.kind);
    }
  });
  if (pageId.length === 0) return;
  await db.query(
    `insert into links (page_id, target_slug, label, kind)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) on conflict do nothing`,
    [pageId, target, label, kind],
  );
}

/** Returns the paths of the pages it deleted (a path with no page is not one). */
export async function deletePages(db: Queryable, sourceId: number, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  // Their chunks first (the pages' delete would cascade to them), to know which hashes went.
  const gone = await db.query<{ h: string }>(
    `delete from chunks c using pages p
      where c.page_id = p.id and p.source_id = $1 and p.path = any($2::text[]) returning c.chunk_hash as h`,
    [sourceId, paths],
  );
  const res = await db.query<{ path: string }>(
    'delete from pages where source_id = $1 and path = any($2::text[]) returning path',
    [sourceId, paths],
  );
  await dropUnusedHashes(db, sourceId, gone.rows.map((r) => r.h));
  return res.rows.map((r) => r.path);
}

/**
 * Renames keep the page row (and so its chunks and their embeddings). The rows move through
 * a temporary path first so that chains and swaps (a→b, b→a) never collide on the unique
 * (source, path) and (source, slug) keys. Returns the renames it made.
 */
export async function renamePages(
  db: Queryable,
  sourceId: number,
  renames: { from: string; to: string; slug: string }[],
): Promise<{ from: string; to: string }[]> {
  if (renames.length === 0) return [];
  const found = await db.query<{ id: number; path: string }>(
    'select id, path from pages where source_id = $1 and path = any($2::text[])',
    [sourceId, renames.map((r) => r.from)],
  );
  if (found.rows.length === 0) return [];
  const byFrom = new Map(renames.map((r) => [r.from, r]));
  const ids = found.rows.map((r) => r.id);
  await db.query("update pages set path = $2 || id, slug = $2 || id where id = any($1::bigint[])", [ids, renameMark]);
  await db.query(
    `update pages p set path = u.dst, slug = u.slug, updated_at = now()
       from unnest($1::bigint[], $2::text[], $3::text[]) as u(id, dst, slug)
      where p.id = u.id`,
    [ids, found.rows.map((r) => byFrom.get(r.path)!.to), found.rows.map((r) => byFrom.get(r.path)!.slug)],
  );
  return found.rows.map((r) => ({ from: r.path, to: byFrom.get(r.path)!.to }));
}

/** No path git can produce starts with a control character. */
const renameMark = '\u0001rename\u0001';

/** Postgres text arrays travel as literals inside a text[] parameter; quote every element. */
function arrayLiteral(values: string[]): string {
  return '{' + values.map((v) => '"' + v.replace(/["\\]/g, '\\$&') + '"').join(',') + '}';
}

export interface PageSummary {
  path: string;
  slug: string;
  title: string;
  blobOid: string;
  chunks: number;
}

export async function listPageSummaries(db: Queryable, sourceId: number): Promise<PageSummary[]> {
  const res = await db.query<PageSummary>(
    `select p.path, p.slug, p.title, p.blob_oid as "blobOid",
            (select count(*)::int from chunks c where c.page_id = p.id) as chunks
       from pages p where p.source_id = $1 order by p.path`,
    [sourceId],
  );
  return res.rows;
}

export interface PageDetail extends PageSummary {
  id: number;
  sourceId: number;
  source: string;
  type: string | null;
  tags: string[];
  frontmatter: Record<string, unknown>;
  body: string;
  updatedAt: Date;
}

/** Pages with this slug (one per source at most). */
export async function findPagesBySlug(db: Queryable, slug: string, sourceId: number | null): Promise<PageDetail[]> {
  const res = await db.query<PageDetail>(
    `select p.id, p.source_id as "sourceId", s.name as source, p.path, p.slug, p.title, p.blob_oid as "blobOid", p.type,
            p.tags, p.frontmatter, p.body, p.updated_at as "updatedAt",
            (select count(*)::int from chunks c where c.page_id = p.id) as chunks
       from pages p join sources s on s.id = p.source_id
      where p.slug = $1 and ($2::bigint is null or p.source_id = $2)
      order by s.name`,
    [slug, sourceId],
  );
  return res.rows;
}
