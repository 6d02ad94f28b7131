import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/db/Db.js';
import type { EmbeddingProvider, EmbedOptions } from '../../src/embed/EmbeddingProvider.js';
import { createGloveProvider } from '../../src/embed/glove/GloveProvider.js';
import { ProviderPool } from '../../src/embed/ProviderPool.js';

/** One GloVe cache for every test run on this machine: converted once (~1.5 s), then loaded in ~0.1 s. */
export const testModelsDir = join(tmpdir(), 'brainsync-test-models');

/**
 * The real GloVe provider, counting the texts it is asked to embed. `fingerprint` stands for a
 * changed model; `onCall` runs after each call (e.g. to stop the run there).
 */
export class CountingProvider implements EmbeddingProvider {
  texts: string[] = [];
  calls = 0;
  constructor(
    private readonly inner: EmbeddingProvider,
    private readonly opts: { fingerprint?: string; onCall?: (n: number) => void } = {},
  ) {}
  get name() { return this.inner.name; }
  get model() { return this.inner.model; }
  get dimensions() { return this.inner.dimensions; }
  get maxInputChars() { return this.inner.maxInputChars; }
  get fingerprint() { return this.opts.fingerprint ?? this.inner.fingerprint; }
  async embed(texts: readonly string[], o?: EmbedOptions): Promise<Float32Array[]> {
    const out = await this.inner.embed(texts, o);
    this.texts.push(...texts);
    this.opts.onCall?.(++this.calls);
    return out;
  }
  close() { return this.inner.close(); }
}

export async function countingGlove(opts: ConstructorParameters<typeof CountingProvider>[1] = {}): Promise<CountingProvider> {
  return new CountingProvider(await createGloveProvider({ cacheDir: testModelsDir }), opts);
}

/** A pool that serves `provider` for every source. */
export function poolOf(provider: EmbeddingProvider): ProviderPool {
  return new ProviderPool(testModelsDir, { create: async () => provider });
}

export async function countRows(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const res = await db.query<{ n: number }>(sql, params);
  return res.rows[0].n;
}
