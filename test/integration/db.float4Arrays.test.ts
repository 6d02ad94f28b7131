import { describe, expect, it } from 'vitest';
import { ensureEmbedModel, storeVectors } from '../../src/db/embedQueries.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';

/** Values a printed decimal would have to get exactly right to round-trip as float32. */
const awkward = [0.1, -0.07155846059322357, 1 / 3, 3.4028234663852886e38, 1.401298464324817e-45, -0, 123456.789, 1e-7];

function vector(seed: number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, (_, i) => (i < awkward.length ? awkward[i] * (seed + 1) : Math.sin(seed * 97 + i)));
}

describe('vectors stored as real[]', () => {
  it.each(backends())('keep every float32 value exactly, each row its own slice, on %s', async (backend) => {
    const db = await openTestDb(await freshBrain(backend));
    try {
      const modelId = await ensureEmbedModel(db, { provider: 'test', model: 'exact', dimensions: 12, fingerprint: 'f' });
      const vectors = Array.from({ length: 40 }, (_, i) => ({ hash: `h${i}`, vec: vector(i, 12) }));
      await db.transaction((tx) => storeVectors(tx, modelId, vectors));
      // Stored again: nothing changes (on conflict do nothing).
      await storeVectors(db, modelId, [{ hash: 'h0', vec: vector(99, 12) }]);
      const res = await db.query<{ hash: string; vec: number[] }>(
        'select chunk_hash as hash, vec from embeddings where model_id = $1 order by chunk_hash', [modelId],
      );
      expect(res.rows).toHaveLength(40);
      for (const row of res.rows) {
        const want = vectors.find((v) => v.hash === row.hash)!.vec;
        // The driver reads float4 back as a JS double; as float32 it must be the value stored.
        expect(Float32Array.from(row.vec.map(Number)), row.hash).toEqual(want);
      }
    } finally {
      await db.close();
    }
  });

  it.each(backends())('refuse a batch whose vectors differ in length, storing none of it, on %s', async (backend) => {
    const db = await openTestDb(await freshBrain(backend));
    try {
      const modelId = await ensureEmbedModel(db, { provider: 'test', model: 'mixed', dimensions: 4, fingerprint: 'f' });
      await expect(storeVectors(db, modelId, [{ hash: 'a', vec: vector(1, 4) }, { hash: 'b', vec: vector(2, 3) }])).rejects.toThrow(/3 and 4 dimensions/);
      const res = await db.query<{ n: number }>('select count(*)::int as n from embeddings where model_id = $1', [modelId]);
      expect(res.rows[0].n).toBe(0);
      // A plain number[] still goes through the usual serializer.
      const plain = await db.query<{ v: number[] }>('select $1::real[] as v', [[1.5, -2]]);
      expect(plain.rows[0].v.map(Number)).toEqual([1.5, -2]);
    } finally {
      await db.close();
    }
  });
});
