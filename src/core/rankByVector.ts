import type { Db } from '../db/Db.js';
import { countPending } from '../db/embedQueries.js';
import { embedSettingsOf, type SourceRow } from '../db/sourcesQueries.js';
import {
  anyVectors, ensureVectorIndex, nearestChunks, sourceHasVectors, type NearestChunk, type VectorMethod,
} from '../db/vectorSearchQueries.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { errorMessage } from '../errors.js';
import { fusion, type Ranked } from './searchFusion.js';

export interface VectorRanking {
  /** Pages, best first, each with its nearest chunk. */
  ranked: Ranked<NearestChunk>[];
  /** The searched sources that have vectors from their model. */
  withVectors: string[];
  notices: string[];
}

/**
 * Ranks pages by their nearest chunk to the query. Sources that share a model are searched
 * together with one query vector; sources with different models are searched separately (their
 * distances are not comparable) and their rankings interleaved by rank.
 */
export async function rankByVector(
  deps: VectorDeps, query: string, sources: SourceRow[], pages: number,
): Promise<VectorRanking> {
  const out: VectorRanking = { ranked: [], withVectors: [], notices: [] };
  const otherwise = deps.vectorOnly ? 'not searched' : 'searched by full text only';
  // A brain synced with --no-embed has no vectors at all: no model is loaded to find that out.
  if (!(await anyVectors(deps.db))) {
    out.notices.push(`no vectors in this brain for ${names(sources)}: ${otherwise}. ${embedAdvice(sources)}`);
    return out;
  }
  const method = await methodOf(deps.db, out.notices);
  const lists: Ranked<NearestChunk>[][] = [];
  for (const group of byModel(sources)) {
    const list = await rankGroup(deps, query, group, pages, method, out, otherwise);
    if (list.length > 0) lists.push(list);
  }
  out.ranked = interleave(lists);
  return out;
}

export interface VectorDeps {
  db: Db;
  models: ProviderPool;
  signal?: AbortSignal;
  /** `--mode vector`: a source left out is not searched at all (notices say so, not "full text only"). */
  vectorOnly?: boolean;
}

async function rankGroup(
  deps: VectorDeps, query: string, group: SourceRow[], pages: number, method: VectorMethod, out: VectorRanking, otherwise: string,
): Promise<Ranked<NearestChunk>[]> {
  const { db, models, signal } = deps;
  let model;
  try {
    model = await models.get(db, embedSettingsOf(group[0]), signal);
  } catch (err) {
    out.notices.push(`${names(group)}: the model ${group[0].embedModel ?? 'glove'} could not be loaded (${errorMessage(err)}): ${otherwise}.`);
    return [];
  }
  const ready: SourceRow[] = [];
  for (const s of group) {
    if (!(await sourceHasVectors(db, s.id, model.modelId))) {
      out.notices.push(`source ${s.name} has no vectors yet: ${otherwise}. ${embedAdvice([s])}`);
      continue;
    }
    ready.push(s);
    out.withVectors.push(s.name);
    const waiting = await countPending(db, s.id);
    if (waiting > 0) out.notices.push(`source ${s.name}: ${waiting} chunks still wait for a vector and are missing from vector results. ${embedAdvice([s])}`);
  }
  if (ready.length === 0) return [];
  /** These sources are not ranked by meaning after all: why, in the notice. */
  const leaveOut = (why: string): [] => {
    out.withVectors = out.withVectors.filter((name) => !ready.some((s) => s.name === name));
    out.notices.push(`${names(group)}: the model ${group[0].embedModel ?? 'glove'} ${why}: ${otherwise}.`);
    return [];
  };
  // A query of words the model does not know (punctuation, emoji, most non-English words for
  // GloVe) gets a stand-in vector: any ranking by it would be noise.
  if (model.provider.understands?.(query) === false) return leaveOut("knows none of the query's words, so it cannot rank by meaning");
  let vector: Float32Array;
  try {
    [vector] = await model.provider.embed([query], { signal });
  } catch (err) {
    // A model that loads but cannot embed (a damaged block of GloVe's cache, a server that
    // fails) costs the vector ranking only, as a model that cannot load does.
    if (signal?.aborted) throw err;
    return leaveOut(`could not embed the query (${errorMessage(err)})`);
  }
  if (method === 'index' && (await ensureVectorIndex(db, model.modelId, model.provider.dimensions)) === 'created') {
    out.notices.push(`built the vector index for ${model.provider.model} (once per model).`);
  }
  const chunks = await nearestChunks(
    db, method,
    { modelId: model.modelId, dimensions: model.provider.dimensions, vector, sourceIds: ready.map((s) => s.id), limit: pages * fusion.chunksPerPage },
    signal,
  );
  return bestChunkPerPage(chunks);
}

/** Rows come nearest first: the first row of a page is its best chunk. */
function bestChunkPerPage(chunks: NearestChunk[]): Ranked<NearestChunk>[] {
  const seen = new Set<number>();
  const out: Ranked<NearestChunk>[] = [];
  for (const c of chunks) {
    if (seen.has(c.pageId)) continue;
    seen.add(c.pageId);
    out.push({ key: c.pageId, item: c });
  }
  return out;
}

async function methodOf(db: Db, notices: string[]): Promise<VectorMethod> {
  if (db.capabilities.vectorIndex) return 'index';
  if (db.capabilities.vector) return 'scan';
  notices.push(
    'this database has no pgvector: vectors are ranked by an exact scan, which slows down as the brain grows; ' +
      'search at scale wants pgvector (install it on the server; brainsync enables it).',
  );
  return 'array';
}

/** Sources grouped by their model settings, in the order given. */
function byModel(sources: SourceRow[]): SourceRow[][] {
  const groups = new Map<string, SourceRow[]>();
  for (const s of sources) {
    const key = JSON.stringify([s.embedModel ?? 'glove', s.embedUrl, s.embedKeyEnv]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}

/** Several models' rankings as one: rank 1 of each, then rank 2 of each (nearer first within a rank). */
function interleave(lists: Ranked<NearestChunk>[][]): Ranked<NearestChunk>[] {
  if (lists.length <= 1) return lists[0] ?? [];
  const out: Ranked<NearestChunk>[] = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    const tier = lists.map((l) => l[i]).filter((r) => r !== undefined);
    out.push(...tier.sort((a, b) => a.item.distance - b.item.distance));
  }
  return out;
}

function names(sources: SourceRow[]): string {
  return sources.length === 1 ? `source ${sources[0].name}` : `sources ${sources.map((s) => s.name).join(', ')}`;
}

function embedAdvice(sources: SourceRow[]): string {
  return `Run \`brainsync embed ${sources.map((s) => `--source ${s.name}`).join(' ')}\` to add them.`;
}
