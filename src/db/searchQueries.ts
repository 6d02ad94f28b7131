import type { Queryable } from './Db.js';

/**
 * Full-text search. The query is parsed by `websearch_to_tsquery` ("quoted phrases", `or`,
 * `-word`), which never raises on odd input; pages are found and ranked through their stored
 * `search` vector (title weighted A above the body) and its GIN index.
 */

/** How many lexemes the parsed query has: 0 when it was empty or only stop words. */
export async function queryLexemeCount(db: Queryable, query: string): Promise<number> {
  const res = await db.query<{ n: number }>(`select numnode(websearch_to_tsquery('english', $1))::int as n`, [query]);
  return res.rows[0]?.n ?? 0;
}

export interface TextPageRank {
  pageId: number;
  rank: number;
}

/**
 * The best `limit` pages of the given sources. ts_rank_cd's normalisation 1 divides by the
 * log of the page's length, so a long page that mentions a word once does not outrank a short
 * page about it.
 */
export async function rankPagesByText(
  db: Queryable, query: string, sourceIds: number[], limit: number, signal?: AbortSignal,
): Promise<TextPageRank[]> {
  const res = await db.query<TextPageRank>(
    `select p.id as "pageId", ts_rank_cd(p.search, q, 1)::float8 as rank
       from pages p, websearch_to_tsquery('english', $1) q
      where p.search @@ q and p.source_id = any($2::bigint[])
      order by rank desc, p.id
      limit $3`,
    [query, sourceIds, limit],
    { signal },
  );
  return res.rows;
}

export interface ChunkSnippet {
  pageId: number;
  ordinal: number;
  headingPath: string;
  snippet: string;
}

/** Matched words are wrapped in these in every snippet (the CLI colours them on a terminal). */
export const highlightStart = '«';
export const highlightStop = '»';

/**
 * For each page, the chunk that matches the query best (its heading counts), with the
 * matching words highlighted. Headlines are computed for the chosen chunks only: ts_headline
 * re-parses the text and is the expensive part.
 */
export async function bestTextChunks(
  db: Queryable, query: string, pageIds: number[], signal?: AbortSignal,
): Promise<ChunkSnippet[]> {
  if (pageIds.length === 0) return [];
  const res = await db.query<ChunkSnippet>(
    `with q as (select websearch_to_tsquery('english', $1) as q),
     best as (
       select distinct on (c.page_id) c.page_id, c.ordinal, c.heading_path, c.text
         from chunks c, q
        where c.page_id = any($2::bigint[])
        order by c.page_id, ts_rank_cd(to_tsvector('english', c.heading_path || ' ' || c.text), q.q) desc, c.ordinal
     )
     select b.page_id as "pageId", b.ordinal, b.heading_path as "headingPath",
            ts_headline('english', b.text, q.q, $3) as snippet
       from best b, q`,
    [query, pageIds, `StartSel=${highlightStart}, StopSel=${highlightStop}, MaxWords=25, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "`],
    { signal },
  );
  return res.rows;
}

export interface PageSummary {
  pageId: number;
  source: string;
  path: string;
  slug: string;
  title: string;
}

export async function pageSummaries(db: Queryable, pageIds: number[], signal?: AbortSignal): Promise<Map<number, PageSummary>> {
  if (pageIds.length === 0) return new Map();
  const res = await db.query<PageSummary>(
    `select p.id as "pageId", s.name as source, p.path, p.slug, p.title
       from pages p join sources s on s.id = p.source_id where p.id = any($1::bigint[])`,
    [pageIds],
    { signal },
  );
  return new Map(res.rows.map((r) => [r.pageId, r]));
}

/** Those of the pages whose full text matches the query (used to apply a query's `-word` exclusions to vector hits). */
export async function pagesMatching(db: Queryable, query: string, pageIds: number[], signal?: AbortSignal): Promise<Set<number>> {
  if (pageIds.length === 0) return new Set();
  const res = await db.query<{ id: number }>(
    `select p.id from pages p where p.id = any($2::bigint[]) and p.search @@ websearch_to_tsquery('english', $1)`,
    [query, pageIds],
    { signal },
  );
  return new Set(res.rows.map((r) => r.id));
}
