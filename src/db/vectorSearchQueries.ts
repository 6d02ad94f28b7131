import type { Db, Queryable } from './Db.js';

/**
 * Nearest chunks by cosine distance. Vectors are `real[]` (one schema for every server) and
 * unit length (every provider normalises), so the distance is 1 − dot product.
 *
 * - `index`: pgvector with this model's HNSW index (see ensureVectorIndex).
 * - `scan`: pgvector's `<=>` over every vector of the model, exact (PGLite: no index, below).
 * - `array`: no pgvector: the dot product in SQL over the arrays, exact and slower.
 */
export type VectorMethod = 'index' | 'scan' | 'array';

export interface NearestChunk {
  pageId: number;
  ordinal: number;
  headingPath: string;
  /** The chunk's first characters (a snippet is cut from them). */
  text: string;
  distance: number;
}

export interface NearestQuery {
  modelId: number;
  dimensions: number;
  vector: Float32Array;
  sourceIds: number[];
  /** Chunk hashes to return (a hash shared by several pages gives a row for each). */
  limit: number;
}

export async function nearestChunks(db: Db, method: VectorMethod, q: NearestQuery, signal?: AbortSignal): Promise<NearestChunk[]> {
  const sql = nearestChunksSql(method, q.modelId, q.dimensions);
  const literal = method === 'array' ? arrayLiteral(q.vector) : vectorLiteral(q.vector);
  const params = [literal, q.sourceIds, q.limit];
  if (method !== 'index') return (await db.query<NearestChunk>(sql, params, { signal })).rows;
  // HNSW returns its nearest candidates first and the source filter applies after; an iterative
  // scan keeps going until `limit` rows pass it (relaxed order: the outer query sorts again).
  return db.transaction(async (tx) => {
    await tx.query(`set local hnsw.iterative_scan = relaxed_order`);
    return (await tx.query<NearestChunk>(sql, params)).rows;
  }, { signal });
}

/** The statement behind nearestChunks ($1 the query vector, $2 source ids, $3 the limit); exported for EXPLAIN. */
export function nearestChunksSql(method: VectorMethod, model: number, dimensions: number): string {
  const modelId = checkedInteger(model);
  const dims = checkedInteger(dimensions);
  const distance = method === 'array'
    ? `1 - (select sum(a * b) from unnest(e.vec, $1::real[]) as t(a, b))`
    : `e.vec::vector(${dims}) <=> $1::vector`;
  // The model id is written into the statement, not passed as a parameter: the planner can use
  // a partial index (`where model_id = M`) only when it sees the value. Both are integers.
  return `with nearest as materialized (
       select e.chunk_hash, ${distance} as distance
         from embeddings e
        where e.model_id = ${modelId}
          and exists (select 1 from chunks c join pages p on p.id = c.page_id
                       where c.chunk_hash = e.chunk_hash and p.source_id = any($2::bigint[]))
        order by distance
        limit $3
     )
     select p.id as "pageId", c.ordinal, c.heading_path as "headingPath", left(c.text, 1000) as text, n.distance::float8 as distance
       from nearest n join chunks c on c.chunk_hash = n.chunk_hash join pages p on p.id = c.page_id
      where p.source_id = any($2::bigint[])
      order by n.distance, p.id, c.ordinal`;
}

export function vectorIndexName(modelId: number): string {
  return `embeddings_vec_m${checkedInteger(modelId)}_idx`;
}

/**
 * One HNSW index per model: a partial expression index on the cast to that model's dimension
 * (the column is `real[]` of any length). Built where the database allows it
 * (capabilities.vectorIndex); answers whether a usable index exists now. Built concurrently
 * on a server so embed workers keep writing; a build that failed half-way leaves an invalid
 * index, which is dropped and built again.
 */
export async function ensureVectorIndex(db: Db, modelId: number, dimensions: number): Promise<'exists' | 'created'> {
  const name = vectorIndexName(modelId);
  const dims = checkedInteger(dimensions);
  const state = await vectorIndexState(db, modelId);
  if (state === 'valid') return 'exists';
  const concurrently = db.capabilities.multiConnection ? ' concurrently' : '';
  if (state === 'invalid') await db.exec(`drop index${concurrently} if exists ${name}`);
  // DDL takes no parameters; the name, dimension and model id are checked integers.
  await db.exec(
    `create index${concurrently} if not exists ${name} on embeddings
       using hnsw ((vec::vector(${dims})) vector_cosine_ops) where model_id = ${checkedInteger(modelId)}`,
  );
  return 'created';
}

async function vectorIndexState(db: Queryable, modelId: number): Promise<'valid' | 'invalid' | 'missing'> {
  const res = await db.query<{ valid: boolean }>(
    `select i.indisvalid as valid from pg_index i where i.indexrelid = to_regclass($1)`,
    [vectorIndexName(modelId)],
  );
  if (res.rows.length === 0) return 'missing';
  return res.rows[0].valid ? 'valid' : 'invalid';
}

/** Whether the brain holds any vector at all (a brain synced with --no-embed loads no model to search). */
export async function anyVectors(db: Queryable): Promise<boolean> {
  const res = await db.query<{ any: boolean }>('select exists (select 1 from embeddings) as any');
  return res.rows[0]?.any ?? false;
}

export async function modelHasVectors(db: Queryable, modelId: number): Promise<boolean> {
  const res = await db.query<{ any: boolean }>('select exists (select 1 from embeddings where model_id = $1) as any', [modelId]);
  return res.rows[0]?.any ?? false;
}

/**
 * Whether any chunk of the source has a vector from the model. Stops at the first one; a
 * source that was never embedded costs a probe per chunk.
 */
export async function sourceHasVectors(db: Queryable, sourceId: number, modelId: number): Promise<boolean> {
  const res = await db.query<{ any: boolean }>(
    `select exists (select 1 from pages p join chunks c on c.page_id = p.id
                      join embeddings e on e.model_id = $2 and e.chunk_hash = c.chunk_hash
                     where p.source_id = $1) as any`,
    [sourceId, modelId],
  );
  return res.rows[0]?.any ?? false;
}

function checkedInteger(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${n}`);
  return n;
}

function vectorLiteral(v: Float32Array): string {
  return `[${Array.from(v, (x) => x.toPrecision(7)).join(',')}]`;
}

function arrayLiteral(v: Float32Array): string {
  return `{${Array.from(v, (x) => x.toPrecision(7)).join(',')}}`;
}
