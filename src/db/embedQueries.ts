import { defaultEmbedSpec } from '../embed/embedSpec.js';
import type { Db, Queryable } from './Db.js';
import { anyVectors } from './vectorSearchQueries.js';

export interface ModelIdentity {
  provider: string;
  model: string;
  dimensions: number;
  fingerprint: string;
}

/** The registry row of a model as it actually runs (inserted on first use). */
export async function ensureEmbedModel(db: Queryable, m: ModelIdentity): Promise<number> {
  return (await registerEmbedModel(db, m)).id;
}

/** The registry row of a model, if the brain has seen it (readers never register one). */
export async function findEmbedModel(db: Queryable, m: ModelIdentity): Promise<number | null> {
  const res = await db.query<{ id: number }>(
    'select id from embed_models where provider = $1 and model = $2 and fingerprint = $3',
    [m.provider, m.model, m.fingerprint],
  );
  return res.rows[0]?.id ?? null;
}

/** As ensureEmbedModel, and whether this call inserted the row (the brain had not seen this model). */
export async function registerEmbedModel(db: Queryable, m: ModelIdentity): Promise<{ id: number; created: boolean }> {
  const res = await db.query<{ id: number; created: boolean }>(
    `insert into embed_models (provider, model, dimensions, fingerprint) values ($1, $2, $3, $4)
     on conflict (provider, model, fingerprint) do update set dimensions = excluded.dimensions
     returning id, (xmax = 0) as created`,
    [m.provider, m.model, m.dimensions, m.fingerprint],
  );
  return res.rows[0];
}

/**
 * Queues every chunk of the sources embedded with these settings (a model spec, `glove` when
 * null, and a URL), and records their backlogs. For a model identity
 * the brain has not seen: its sources' existing vectors are another model's.
 */
export async function enqueueChunksOfModel(tx: Queryable, spec: string, url: string | null): Promise<void> {
  // A brain without any vector yet (a first sync's embed phase) has every chunk queued by its
  // import already: nothing to add, and going over 57,000 chunks would cost seconds.
  if (!(await anyVectors(tx))) return;
  const res = await tx.query<{ id: number }>(
    `select id from sources where coalesce(embed_model, $1) = $2 and embed_url is not distinct from $3 order by id`,
    [defaultEmbedSpec, spec, url],
  );
  for (const { id } of res.rows) {
    await enqueueSourceChunks(tx, id);
    await recordPending(tx, id, await countPending(tx, id));
  }
}

/**
 * Queues every chunk hash of a source (its model changed: all of them may need a vector).
 * Both queueing statements insert in chunk-hash order: two transactions inserting overlapping
 * keys in different orders (a sync's import batch and a `sources set` on Postgres) each waited
 * for the other's key, and one was killed as a deadlock.
 */
export async function enqueueSourceChunks(db: Queryable, sourceId: number): Promise<void> {
  await db.query(
    `insert into embed_queue (source_id, chunk_hash)
     select distinct $1::bigint, c.chunk_hash from chunks c join pages p on p.id = c.page_id where p.source_id = $1
     order by 2
     on conflict do nothing`,
    [sourceId],
  );
}

/** Queues chunk hashes just written for a source (the embed phase drops those that already have a vector). */
export async function enqueueChunkHashes(db: Queryable, sourceId: number, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await db.query(
    `insert into embed_queue (source_id, chunk_hash) select distinct $1::bigint, h from unnest($2::text[]) as h
     order by 2
     on conflict do nothing`,
    [sourceId, hashes],
  );
}

/**
 * After chunks were deleted or replaced: drops the source's queue entries for hashes no chunk
 * of the source has any more (they were counted as pending, and an embed phase would only
 * find nothing to embed), and the vectors of hashes no chunk anywhere has (vectors are shared
 * by content across sources; without this, every edit left its old sections' vectors for
 * good). Each lookup goes through an index: cheap for the few hashes an edit removes.
 */
export async function dropUnusedHashes(db: Queryable, sourceId: number, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  const unique = [...new Set(hashes)];
  await db.query(
    `delete from embed_queue q where q.source_id = $1 and q.chunk_hash = any($2::text[])
        and not exists (select 1 from chunks c join pages p on p.id = c.page_id where c.chunk_hash = q.chunk_hash and p.source_id = $1)`,
    [sourceId, unique],
  );
  await db.query(
    `delete from embeddings e using embed_models m, unnest($1::text[]) as h(hash)
      where e.model_id = m.id and e.chunk_hash = h.hash
        and not exists (select 1 from chunks c where c.chunk_hash = e.chunk_hash)`,
    [unique],
  );
}

/** Before a source is removed: the vectors of its chunks that no other source's chunk shares. */
export async function dropSourceVectors(db: Queryable, sourceId: number): Promise<void> {
  await db.query(
    `delete from embeddings e
      where e.chunk_hash in (select c.chunk_hash from chunks c join pages p on p.id = c.page_id where p.source_id = $1)
        and not exists (select 1 from chunks c join pages p on p.id = c.page_id where c.chunk_hash = e.chunk_hash and p.source_id <> $1)`,
    [sourceId],
  );
}

/** Drops queued hashes that already have a vector for the model (embedded for another page or source). */
export async function settleQueue(db: Queryable, sourceId: number, modelId: number): Promise<void> {
  await db.query(
    `delete from embed_queue q using embeddings e
      where q.source_id = $1 and e.model_id = $2 and e.chunk_hash = q.chunk_hash`,
    [sourceId, modelId],
  );
}

export async function countPending(db: Queryable, sourceId: number): Promise<number> {
  const res = await db.query<{ n: number }>('select count(*)::int as n from embed_queue where source_id = $1', [sourceId]);
  return res.rows[0]?.n ?? 0;
}

/**
 * Records a source's backlog as just counted: the status manifest shows this column rather
 * than counting the queue (O(backlog)) on every rewrite.
 */
export async function recordPending(db: Queryable, sourceId: number, pending: number): Promise<void> {
  // No write when the count is unchanged (most no-op runs): on PGLite every commit costs.
  await db.query(
    'update sources set embed_pending = $2, embed_pending_at = now() where id = $1 and embed_pending is distinct from $2',
    [sourceId, pending],
  );
}

/**
 * Vacuums the embed queue once it is empty and its table still holds more than `minBytes`
 * (the dead rows of a drained backlog), where nothing else would: without autovacuum (PGLite)
 * every later claim and count reads those pages again, cold, in each new process (a 57K-chunk
 * backlog left 14 MB: ~100 ms per run). Returns whether it vacuumed.
 */
export async function compactDrainedQueue(db: Db, minBytes: number): Promise<boolean> {
  if (db.capabilities.autovacuum) return false;
  const res = await db.query<{ due: boolean }>(
    `select pg_relation_size('embed_queue') > $1 and not exists (select 1 from embed_queue) as due`,
    [minBytes],
  );
  if (!res.rows[0]?.due) return false;
  await db.exec('vacuum embed_queue');
  return true;
}

/** Cheap: lets a no-op sync skip the embed phase (and loading any model) entirely. */
export async function hasPending(db: Queryable, sourceId: number): Promise<boolean> {
  const res = await db.query<{ any: boolean }>('select exists (select 1 from embed_queue where source_id = $1) as any', [sourceId]);
  return res.rows[0]?.any ?? false;
}

/**
 * Claims up to `limit` unclaimed (or expired) queued hashes of a source for `worker`.
 * SKIP LOCKED lets several workers claim at once without waiting on, or taking, each
 * other's rows; the expiry frees the claims of a worker that died.
 */
export async function claimQueued(
  db: Queryable, sourceId: number, worker: string, limit: number, ttlSeconds: number, signal?: AbortSignal,
): Promise<string[]> {
  const res = await db.query<{ hash: string }>(
    `with picked as (
       select chunk_hash from embed_queue
        where source_id = $1 and (claim_expires_at is null or claim_expires_at < now())
        limit $3
        for update skip locked
     )
     update embed_queue q set claimed_by = $2, claim_expires_at = now() + make_interval(secs => $4)
       from picked where q.source_id = $1 and q.chunk_hash = picked.chunk_hash
     returning q.chunk_hash as hash`,
    [sourceId, worker, limit, ttlSeconds],
    { signal },
  );
  return res.rows.map((r) => r.hash);
}

/** One text per hash that a chunk of the source still has, and which hashes have a vector for the model already. */
export async function textsToEmbed(
  db: Queryable, sourceId: number, modelId: number, hashes: string[], signal?: AbortSignal,
): Promise<{ texts: Map<string, string>; done: Set<string> }> {
  const texts = await db.query<{ hash: string; text: string }>(
    `select distinct on (c.chunk_hash) c.chunk_hash as hash, c.text
       from chunks c join pages p on p.id = c.page_id
      where c.chunk_hash = any($2::text[]) and p.source_id = $1`,
    [sourceId, hashes],
    { signal },
  );
  const done = await db.query<{ hash: string }>(
    'select chunk_hash as hash from embeddings where model_id = $1 and chunk_hash = any($2::text[])',
    [modelId, hashes],
    { signal },
  );
  return { texts: new Map(texts.rows.map((r) => [r.hash, r.text])), done: new Set(done.rows.map((r) => r.hash)) };
}

/** Stores vectors (a hash another worker stored first keeps its vector) and takes the hashes off the queue. */
export async function storeVectors(
  db: Queryable, modelId: number, vectors: { hash: string; vec: Float32Array }[],
): Promise<void> {
  if (vectors.length === 0) return;
  // All vectors travel as one flat real[] (in binary on PGLite, see binaryFloat4Array), each
  // row taking its slice: no float is printed in JS or parsed back by the server.
  const dims = vectors[0].vec.length;
  const flat = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => {
    if (v.vec.length !== dims) throw new Error(`vectors of ${v.vec.length} and ${dims} dimensions in one batch`);
    flat.set(v.vec, i * dims);
  });
  await db.query(
    `insert into embeddings (model_id, chunk_hash, vec)
     select $1, h, ($3::real[])[(o::int - 1) * $4::int + 1 : o::int * $4::int] from unnest($2::text[]) with ordinality as u(h, o)
     on conflict do nothing`,
    [modelId, vectors.map((v) => v.hash), flat, dims],
  );
}

/** Takes hashes off a source's queue (embedded, already embedded, or no chunk has them any more). */
export async function dequeue(db: Queryable, sourceId: number, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await db.query('delete from embed_queue where source_id = $1 and chunk_hash = any($2::text[])', [sourceId, hashes]);
}

/** Gives a worker's unfinished claims back at once (instead of waiting for them to expire). */
export async function releaseClaims(db: Queryable, sourceId: number, worker: string): Promise<void> {
  await db.query(
    'update embed_queue set claimed_by = null, claim_expires_at = null where source_id = $1 and claimed_by = $2',
    [sourceId, worker],
  );
}

/** The workers holding claims on a source's queue. */
export async function claimHolders(db: Queryable, sourceId: number): Promise<string[]> {
  const res = await db.query<{ worker: string }>(
    'select distinct claimed_by as worker from embed_queue where source_id = $1 and claimed_by is not null',
    [sourceId],
  );
  return res.rows.map((r) => r.worker);
}
