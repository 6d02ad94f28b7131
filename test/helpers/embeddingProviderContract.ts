import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingProvider } from '../../src/embed/EmbeddingProvider.js';

export interface ProviderContractOptions {
  /** Largest per-component difference tolerated between two runs of one text (batched GPU
   * kernels may differ in the last bits); 0 for providers that are exact. */
  tolerance?: number;
  /** Time allowed for the factory (a first use may convert or download-free load a model). */
  createTimeoutMs?: number;
}

/**
 * The behaviour every EmbeddingProvider promises (see EmbeddingProvider.ts), as a suite any
 * provider's test file can run: `describeEmbeddingProviderContract('glove', () => create())`.
 * `create` is called once for the suite and once more for the close test.
 */
export function describeEmbeddingProviderContract(
  label: string,
  create: () => Promise<EmbeddingProvider>,
  opts: ProviderContractOptions = {},
): void {
  const tolerance = opts.tolerance ?? 0;
  describe(`${label} provider: the EmbeddingProvider contract`, () => {
    let provider: EmbeddingProvider;
    const embedOne = async (text: string) => (await provider.embed([text]))[0];
    beforeAll(async () => {
      provider = await create();
    }, opts.createTimeoutMs ?? 120_000);
    afterAll(async () => {
      await provider?.close();
    });

    it('describes itself: name, model, dimensions, fingerprint, input limit', () => {
      expect(provider.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(provider.model.length).toBeGreaterThan(0);
      expect(Number.isInteger(provider.dimensions) && provider.dimensions > 0).toBe(true);
      expect(provider.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isInteger(provider.maxInputChars) && provider.maxInputChars > 0).toBe(true);
    });

    it('returns one Float32Array of `dimensions` unit length per text, odd texts included', async () => {
      const texts = ['The cat sat on the mat.', '', '   \n\t', '!!! ??? ...', 'Zürich café déjà vu', '🙂🙂🙂', 'x', '12345'];
      const vectors = await provider.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v).toHaveLength(provider.dimensions);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(norm(v)).toBeCloseTo(1, 5);
      }
    });

    it('returns an empty list for an empty batch', async () => {
      expect(await provider.embed([])).toEqual([]);
    });

    it('keeps input order, and a batch gives what the texts give one by one', async () => {
      const texts = ['backups of the database', 'a recipe for soup', 'the football match', 'backups of the database'];
      const batch = await provider.embed(texts);
      for (let i = 0; i < texts.length; i++) expectClose(batch[i], await embedOne(texts[i]), tolerance);
      expectClose(batch[0], batch[3], tolerance);
      expect(maxDiff(batch[0], batch[1])).toBeGreaterThan(1e-3);
    });

    it('is deterministic across calls', async () => {
      const text = 'Recovering tables from last night’s dump';
      expectClose(await embedOne(text), await embedOne(text), tolerance);
    });

    it('embeds very long inputs without failing, looking only at the first maxInputChars', async () => {
      const prose = 'the server stores nightly backups of every database '.repeat(40_000); // ~2 MB
      const oneWord = 'a'.repeat(500_000);
      const symbols = '🙂'.repeat(100_000);
      const vectors = await provider.embed([prose, oneWord, symbols]);
      for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
      expectClose(vectors[0], await embedOne(prose.slice(0, provider.maxInputChars)), tolerance);
    });

    it('rejects when the signal has already aborted', async () => {
      await expect(provider.embed(['text'], { signal: AbortSignal.abort() })).rejects.toThrow();
    });

    it('can be closed twice', async () => {
      const other = await create();
      await other.close();
      await other.close();
    }, opts.createTimeoutMs ?? 120_000);
  });
}

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectClose(a: Float32Array, b: Float32Array, tolerance: number): void {
  expect(a).toHaveLength(b.length);
  if (tolerance === 0) expect(Array.from(a)).toEqual(Array.from(b));
  else expect(maxDiff(a, b)).toBeLessThanOrEqual(tolerance);
}
