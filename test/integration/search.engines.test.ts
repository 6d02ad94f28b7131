import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search, type SearchMode } from '../../src/core/search.js';
import type { Db } from '../../src/db/Db.js';
import { ensureVectorIndex, nearestChunks, nearestChunksSql, vectorIndexName } from '../../src/db/vectorSearchQueries.js';
import { ProviderPool } from '../../src/embed/ProviderPool.js';
import { backends, freshBrain, openTestDb, type BackendName } from '../helpers/brains.js';
import { testModelsDir } from '../helpers/embed.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { writeSearchNotes } from '../helpers/searchNotes.js';
import { add, sync } from '../helpers/sync.js';

const queries = ['soccer game weekend', 'backups', 'restore or sourdough', 'recover lost data', 'the squad on friday'];

interface Brain {
  db: Db;
  models: ProviderPool;
}

async function brain(backend: BackendName, repo: TestRepo): Promise<Brain> {
  const db = await openTestDb(await freshBrain(backend), { vector: true });
  const models = new ProviderPool(testModelsDir);
  await add(db, 'notes', repo.dir);
  await sync(db, 'notes', { models });
  return { db, models };
}

let repo: TestRepo;
beforeAll(async () => {
  repo = await createRepo();
  await writeSearchNotes(repo);
});
afterAll(() => repo?.cleanup());

describe.skipIf(!backends().includes('postgres'))('PGLite (pgvector) and the test Postgres (no pgvector: exact scan over real[])', () => {
  it('rank the same pages in every mode', async () => {
    const pglite = await brain('pglite', repo);
    const postgres = await brain('postgres', repo);
    try {
      expect(pglite.db.capabilities.vector).toBe(true);
      for (const mode of ['text', 'vector', 'hybrid'] as SearchMode[]) {
        for (const q of queries) {
          const [a, b] = await Promise.all([search(pglite, q, { mode, limit: 5 }), search(postgres, q, { mode, limit: 5 })]);
          expect(b.hits.map((h) => [h.path, h.ranks]), `${mode}: ${q}`).toEqual(a.hits.map((h) => [h.path, h.ranks]));
          b.hits.forEach((h, i) => expect(h.score, `${mode}: ${q}`).toBeCloseTo(a.hits[i].score, 4));
        }
      }
      if (!postgres.db.capabilities.vector) {
        const r = await search(postgres, 'backups', { mode: 'vector' });
        expect(r.notices.join('\n')).toMatch(/no pgvector: vectors are ranked by an exact scan.*search at scale wants pgvector/);
      }
    } finally {
      await pglite.db.close();
      await postgres.db.close();
    }
  });
});

describe('an HNSW index per model (pgvector)', () => {
  it('is a partial expression index the nearest-chunk query uses, and answers as the exact scan does', async () => {
    const { db, models } = await brain('pglite', repo);
    try {
      const model = await models.get(db, { spec: null, url: null, keyEnv: null });
      const [vector] = await model.provider.embed(['soccer game weekend']);
      const sources = (await db.query<{ id: number }>('select id from sources')).rows.map((r) => r.id);
      const q = { modelId: model.modelId, dimensions: 100, vector, sourceIds: sources, limit: 5 };
      const exact = await nearestChunks(db, 'scan', q);
      expect(await ensureVectorIndex(db, model.modelId, 100)).toBe('created');
      expect(await ensureVectorIndex(db, model.modelId, 100)).toBe('exists');
      const def = await db.query<{ def: string }>('select indexdef as def from pg_indexes where indexname = $1', [vectorIndexName(model.modelId)]);
      expect(def.rows[0].def).toMatch(/USING hnsw \(\(\(vec\)::vector\(100\)\) vector_cosine_ops\) WHERE \(model_id = \d+\)/);
      const indexed = await nearestChunks(db, 'index', q);
      expect(indexed.map((c) => [c.pageId, c.ordinal])).toEqual(exact.map((c) => [c.pageId, c.ordinal]));
      await db.exec('set enable_seqscan = off');
      const plan = await db.query<{ 'QUERY PLAN': string }>(
        `explain ${nearestChunksSql('index', model.modelId, 100)}`,
        [`[${Array.from(vector).join(',')}]`, sources, 5],
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(`Index Scan using ${vectorIndexName(model.modelId)}`);
    } finally {
      await db.close();
    }
  });
});
