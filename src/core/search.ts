import type { Db } from '../db/Db.js';
import { bestTextChunks, pageSummaries, pagesMatching, queryLexemeCount, rankPagesByText, type ChunkSnippet } from '../db/searchQueries.js';
import { ensureSearchStatistics } from '../db/searchStatistics.js';
import { listSources, type SourceRow } from '../db/sourcesQueries.js';
import type { NearestChunk } from '../db/vectorSearchQueries.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { UsageError } from '../errors.js';
import { rankByVector, type VectorRanking } from './rankByVector.js';
import { requireSource } from './requireSource.js';
import { fusion, reciprocalRankFusion, type Fused, type Ranked } from './searchFusion.js';
import { plainSnippet } from './snippet.js';

export type SearchMode = 'hybrid' | 'text' | 'vector';

export interface SearchOptions {
  /** Source names; default: every source. */
  sources?: string[];
  /** Pages to return (default 10). */
  limit?: number;
  /** Default: hybrid when the searched sources have vectors, else text. */
  mode?: SearchMode;
  signal?: AbortSignal;
}

export interface SearchHit {
  source: string;
  path: string;
  slug: string;
  title: string;
  /** Higher is better, within one response (text: ts_rank_cd; vector: cosine similarity; hybrid: the fused score). */
  score: number;
  /** 1-based rank of the page in each mode's list; null where it is absent. */
  ranks: { text: number | null; vector: number | null };
  /** The best chunk's text around the match; matched words are wrapped in « ». */
  snippet: string;
  headingPath: string[];
}

export interface SearchResponse {
  query: string;
  mode: SearchMode;
  hits: SearchHit[];
  notices: string[];
}

export const defaultLimit = 10;
export const maxQueryChars = 2000;
const maxLimit = 1000;

/** Full-text, vector or hybrid search over the pages of some or all sources; one hit per page. */
export async function search(
  deps: { db: Db; models: ProviderPool }, query: string, opts: SearchOptions = {},
): Promise<SearchResponse> {
  const q = checkQuery(query);
  const limit = opts.limit ?? defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new UsageError(`the limit must be a whole number from 1 to ${maxLimit}.`);
  const sources = await searchedSources(deps.db, opts.sources);
  if (sources.length === 0) {
    return { query: q, mode: opts.mode ?? 'text', hits: [], notices: ['the brain has no sources yet: add one with `brainsync sources add NAME REPO`, then sync it.'] };
  }
  const notices: string[] = [];
  await ensureSearchStatistics(deps.db);
  // Full text ignores stop words; a query of nothing else is refused unless it asks for vectors only.
  if (opts.mode !== 'vector' && (await queryLexemeCount(deps.db, q)) === 0) throw new UsageError(stopWordsMessage(q));
  const candidates = opts.mode === undefined || opts.mode === 'hybrid' ? Math.max(fusion.candidates, limit) : limit;
  let vector: VectorRanking = { ranked: [], withVectors: [], notices: [] };
  if (opts.mode !== 'text') {
    vector = await rankByVector({ ...deps, signal: opts.signal, vectorOnly: opts.mode === 'vector' }, q, sources, candidates);
    notices.push(...vector.notices);
    vector.ranked = await withoutExcluded(deps.db, q, vector.ranked, opts.signal);
  }
  const mode = opts.mode ?? (vector.withVectors.length > 0 ? 'hybrid' : 'text');
  if (mode === 'vector' && vector.withVectors.length === 0) {
    throw new UsageError(`nothing to search by meaning: ${notices.join(' ')} Search with --mode text instead.`);
  }
  let text: Ranked<number>[] = [];
  if (mode !== 'vector') {
    const ids = sources.map((s) => s.id);
    text = (await rankPagesByText(deps.db, q, ids, candidates, opts.signal)).map((r) => ({ key: r.pageId, item: r.rank }));
  }
  const fused = scored(mode, text, vector.ranked).slice(0, limit);
  return { query: q, mode, hits: await toHits(deps.db, q, fused, opts.signal), notices };
}

function checkQuery(query: string): string {
  const q = query.trim();
  if (q === '') throw new UsageError('the search query is empty: give the words to look for, e.g. brainsync search "restore a backup".');
  if (q.length > maxQueryChars) throw new UsageError(`the search query is ${q.length} characters long; keep it under ${maxQueryChars}.`);
  // Postgres text cannot hold NUL, and other control characters are never meant.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(q)) throw new UsageError('the search query contains control characters; give plain words.');
  return q;
}

/**
 * A query's exclusions (`-word`, `-"a phrase"`, as websearch_to_tsquery reads them) apply to
 * vector hits too: a page that contains an excluded word is dropped, whatever its meaning.
 */
async function withoutExcluded<T>(db: Db, q: string, ranked: Ranked<T>[], signal?: AbortSignal): Promise<Ranked<T>[]> {
  const excluded = [...q.matchAll(/(?:^|\s)-("[^"]*"?|[^\s"]+)/g)].map((m) => m[1]);
  if (excluded.length === 0 || ranked.length === 0) return ranked;
  const hit = await pagesMatching(db, excluded.join(' or '), ranked.map((r) => r.key), signal);
  return ranked.filter((r) => !hit.has(r.key));
}

function stopWordsMessage(q: string): string {
  return `"${q}" has no words full-text search can use: it is empty or only stop words (such as "the", "of", "and"), ` +
    'which are ignored. Add a content word, or search by meaning with --mode vector.';
}

async function searchedSources(db: Db, names: string[] | undefined): Promise<SourceRow[]> {
  if (!names || names.length === 0) return listSources(db);
  const out: SourceRow[] = [];
  for (const name of new Set(names)) out.push(await requireSource(db, name));
  return out;
}

type Item = { rank: number | null; chunk: NearestChunk | null };

/** One list of pages, best first, with each page's score in this mode. */
function scored(mode: SearchMode, text: Ranked<number>[], vector: Ranked<NearestChunk>[]): Fused<Item>[] {
  const t = text.map((r) => ({ key: r.key, item: { rank: r.item, chunk: null } as Item }));
  const v = vector.map((r) => ({ key: r.key, item: { rank: null, chunk: r.item } as Item }));
  if (mode === 'hybrid') return reciprocalRankFusion(t, v);
  const list = mode === 'text' ? t : v;
  return list.map((r, i) => ({
    key: r.key,
    score: mode === 'text' ? r.item.rank! : 1 - r.item.chunk!.distance,
    ranks: { text: mode === 'text' ? i + 1 : null, vector: mode === 'vector' ? i + 1 : null },
    text: mode === 'text' ? r.item : null,
    vector: mode === 'vector' ? r.item : null,
  }));
}

/**
 * Page details and the best chunk of each page: the text match's chunk (with highlights) where
 * the page ranks at least as well by text as by vector, else its nearest chunk.
 */
async function toHits(db: Db, q: string, fused: Fused<Item>[], signal?: AbortSignal): Promise<SearchHit[]> {
  const byText = fused.filter((f) => f.ranks.text !== null && (f.ranks.vector === null || f.ranks.text <= f.ranks.vector));
  const snippets = new Map<number, ChunkSnippet>(
    (await bestTextChunks(db, q, byText.map((f) => f.key), signal)).map((s) => [s.pageId, s]),
  );
  const pages = await pageSummaries(db, fused.map((f) => f.key), signal);
  const hits: SearchHit[] = [];
  for (const f of fused) {
    const page = pages.get(f.key);
    if (!page) continue; // deleted between the two statements
    const chunk = snippets.get(f.key) ?? (f.vector?.chunk ? { headingPath: f.vector.chunk.headingPath, snippet: plainSnippet(f.vector.chunk.text) } : null);
    hits.push({
      source: page.source, path: page.path, slug: page.slug, title: page.title,
      score: f.score, ranks: f.ranks,
      snippet: (chunk?.snippet ?? '').replace(/\s+/g, ' ').trim(), headingPath: chunk?.headingPath ? chunk.headingPath.split(' > ') : [],
    });
  }
  return hits;
}
