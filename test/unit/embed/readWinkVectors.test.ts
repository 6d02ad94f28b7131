import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedError } from '../../../src/embed/EmbedError.js';
import { readWinkVectors } from '../../../src/embed/glove/readWinkVectors.js';

const dims = 100;
let dir: string;

/** Vocabulary entry i: tricky JSON keys, words the tokeniser would split, and multi-byte words. */
function wordAt(i: number): string {
  const special = [',', '"', '[', ']', '\\', 'well-known', 'UPPER', '🙂', '{', 'a b'];
  if (i < special.length * 10 && i % 10 === 3) return special[Math.floor(i / 10)];
  if (i % 7 === 0) return `москва${i}`;
  if (i % 11 === 0) return `zürich${i}`;
  return `w${i}`;
}

/** A file in the package's layout: head scalars, "words", then "vectors" in word order. */
function winkJson(count: number): string {
  const words = Array.from({ length: count }, (_, i) => wordAt(i));
  const entries = words.map((w, i) => {
    const values = Array.from({ length: dims }, (_, d) => i + d / 1000);
    return `${JSON.stringify(w)}:[${values.join(',')},1.5,${i}]`;
  });
  const head = JSON.stringify({ precision: 8, l2NormIndex: dims, wordIndex: dims + 1, size: count, dimensions: dims, words });
  return `${head.slice(0, -1)},"vectors":{${entries.join(',')}},"unkVector":[0]}`;
}

async function fileWith(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brainsync-wink-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading the wink-embeddings JSON', () => {
  it('keeps the most frequent words the tokeniser can produce, ranked among all entries', async () => {
    // ~3 MB: entries straddle the reader's 1 MB chunks, multi-byte words included.
    const file = await fileWith('full.json', winkJson(3000));
    const table = await readWinkVectors(file, { maxWords: 2500 });
    expect(table.dimensions).toBe(dims);
    expect(table.sourceSize).toBe(3000);
    expect(table.words.length).toBe(2500);
    expect(table.words.slice(0, 4)).toEqual(['москва0', 'w1', 'w2', 'w4']);
    expect(table.words).not.toContain('well-known');
    expect(table.words).not.toContain('upper');
    for (let slot = 0; slot < table.words.length; slot++) {
      const rank = table.ranks[slot];
      expect(table.words[slot]).toBe(wordAt(rank - 1));
      expect(table.vectors[slot * dims]).toBe(Math.fround(rank - 1));
      expect(table.vectors[slot * dims + dims - 1]).toBe(Math.fround(rank - 1 + (dims - 1) / 1000));
    }
  });

  it('reads no further than the kept words: a file cut off after them still loads', async () => {
    const text = winkJson(3000);
    const file = await fileWith('cut.json', text.slice(0, text.indexOf('"w2000":[')));
    const table = await readWinkVectors(file, { maxWords: 1000 });
    expect(table.words.length).toBe(1000);
  });

  it('names the file and what is missing when vectors are absent', async () => {
    const text = winkJson(300);
    const file = await fileWith('short.json', `${text.slice(0, text.indexOf('"w200":['))}`);
    await expect(readWinkVectors(file, { maxWords: 250 })).rejects.toThrow(/short\.json: .*word vectors are missing/);
  });

  it('refuses files of another layout with an EmbedError', async () => {
    const other = await fileWith('other.json', JSON.stringify({ hello: 'world' }));
    await expect(readWinkVectors(other, { maxWords: 10 })).rejects.toThrow(EmbedError);
    const unindexed = await fileWith('unindexed.json', winkJson(20).replace(/,1\.5,\d+\]/g, ']'));
    await expect(readWinkVectors(unindexed, { maxWords: 10 })).rejects.toThrow(/does not carry its word index/);
  });

  it('stops when the signal aborts', async () => {
    const file = await fileWith('abort.json', winkJson(100));
    await expect(readWinkVectors(file, { maxWords: 10, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});
