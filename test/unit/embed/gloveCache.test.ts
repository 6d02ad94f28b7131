import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SifTable } from '../../../src/embed/glove/buildSifTable.js';
import { EmbedError } from '../../../src/embed/EmbedError.js';
import { encodeGloveCache, gloveBlockRows, openGloveCache, type GloveCacheKey, type OpenedGloveCache } from '../../../src/embed/glove/gloveCache.js';

// 200 words of 3 dimensions: four blocks of rows, the last one short.
const count = 200;
const table: SifTable = {
  dimensions: 3,
  words: ['the', 'zürich', 'москва', ...Array.from({ length: count - 3 }, (_, i) => `w${i}`)],
  rows: Float32Array.from({ length: count * 3 }, (_, i) => (i % 7) - 3 + i / 1000),
};
const key: GloveCacheKey & { source: string } = { model: 'glove-test', source: 'pkg@1 10 bytes', maxWords: count, weighting: 'w a=0.001' };

let dir: string;
let opened: OpenedGloveCache[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brainsync-glove-file-'));
});
afterEach(async () => {
  for (const o of opened) o.table.loader.close();
  opened = [];
  await rm(dir, { recursive: true, force: true });
});

function encode(): Buffer {
  return Buffer.concat(encodeGloveCache(table, key).parts);
}

/** Where the rows start in an encoded file. */
function rowsAt(buf: Buffer): number {
  return 12 + buf.readUInt32LE(8);
}

async function open(buf: Buffer, expect: GloveCacheKey = key) {
  const file = join(dir, 'cache.bin');
  await writeFile(file, buf);
  const o = openGloveCache(file, expect);
  if (o && !('problem' in o)) opened.push(o);
  return { file, o };
}

async function problemOf(buf: Buffer, expect: GloveCacheKey = key): Promise<string | undefined> {
  const { o } = await open(buf, expect);
  return o && 'problem' in o ? o.problem : undefined;
}

describe('the GloVe cache file', () => {
  it('opens to the table it was encoded from, reading rows block by block as they are used', async () => {
    const { o } = await open(encode());
    if (!o || 'problem' in o) throw new Error(String(o && o.problem));
    const { index } = o.table;
    expect(table.words!.map((w) => index.get(w))).toEqual(table.words!.map((_, i) => i));
    expect(table.words!.map((_, i) => index.wordAt(i))).toEqual(table.words);
    expect(index.get('moskva')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
    expect(index.get('w1000')).toBeUndefined();
    expect(o.header).toMatchObject({ ...key, dimensions: 3, count, blockRows: gloveBlockRows });
    expect(o.header.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(o.header.blockSha256).toHaveLength(Math.ceil(count / gloveBlockRows));
    const { loader, rows } = o.table;
    expect(loader.blocksRead).toBe(0);
    expect(rows[3]).toBe(0); // not read yet
    loader.ensure(1);
    expect(loader.blocksRead).toBe(1);
    expect(Array.from(rows.subarray(0, 3 * gloveBlockRows))).toEqual(Array.from(table.rows.subarray(0, 3 * gloveBlockRows)));
    expect(rows[3 * gloveBlockRows]).toBe(0); // the next block is not
    for (let r = 0; r < count; r++) loader.ensure(r);
    expect(loader.blocksRead).toBe(4);
    expect(Array.from(rows)).toEqual(Array.from(table.rows));
  });

  it('keeps the payload checksum of the rows and words, on which the fingerprint stands', () => {
    const a = encodeGloveCache(table, key).header.payloadSha256;
    const changed = { ...table, rows: Float32Array.from(table.rows, (v, i) => (i === 599 ? v + 1 : v)) };
    expect(encodeGloveCache(changed, key).header.payloadSha256).not.toBe(a);
    expect(encodeGloveCache(table, { ...key, source: 'pkg@2 10 bytes' }).header.payloadSha256).toBe(a);
  });

  it('detects a truncated file', async () => {
    const buf = encode();
    expect(await problemOf(buf.subarray(0, buf.length - 1))).toMatch(/truncated/);
    expect(await problemOf(buf.subarray(0, 20))).toMatch(/truncated|unreadable header/);
    expect(await problemOf(buf.subarray(0, 4))).toMatch(/not a brainsync GloVe cache/);
    expect(await problemOf(Buffer.alloc(0))).toMatch(/not a brainsync GloVe cache/);
  });

  it('detects extra bytes and a changed byte in the words', async () => {
    const buf = encode();
    expect(await problemOf(Buffer.concat([buf, Buffer.from([0])]))).toMatch(/padded/);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 2] ^= 0x01;
    expect(await problemOf(flipped)).toBe('checksum mismatch (words)');
    const lookupAt = rowsAt(buf) + count * 3 * 4;
    const unsorted = Buffer.from(buf);
    unsorted[lookupAt + (count + 1) * 4] ^= 0x01; // the first entry of the sorted list
    expect(await problemOf(unsorted)).toBe('checksum mismatch (words)');
  });

  it('refuses the rows of a damaged block when they are first used, removes the file, and still serves the other blocks', async () => {
    const buf = Buffer.from(encode());
    const secondBlock = rowsAt(buf) + gloveBlockRows * 3 * 4;
    buf[secondBlock + 5] ^= 0x10;
    const { file, o } = await open(buf);
    if (!o || 'problem' in o) throw new Error('a damaged row is found when it is used, not when the file is opened');
    o.table.loader.ensure(0);
    expect(o.table.rows[0]).toBe(table.rows[0]);
    const err = (() => {
      try {
        o.table.loader.ensure(gloveBlockRows + 3);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as Error).message).toMatch(/cache\.bin: block 1 of the word vectors does not match its checksum .*it was removed, and the next run rebuilds it/);
    expect(existsSync(file)).toBe(false);
    expect(Array.from(o.table.rows.subarray(3 * gloveBlockRows, 6 * gloveBlockRows)).every((v) => v === 0)).toBe(true);
    o.table.loader.ensure(2 * gloveBlockRows);
    expect(o.table.rows[6 * gloveBlockRows]).toBe(table.rows[6 * gloveBlockRows]);
  });

  it('detects a foreign file, a damaged header, and a file of the earlier format', async () => {
    expect(await problemOf(Buffer.from('{"words":[]}'))).toMatch(/not a brainsync GloVe cache/);
    const broken = encode();
    broken[12] = 0x5b; // the header JSON's opening brace becomes '['
    expect(await problemOf(broken)).toBe('unreadable header');
    const renamed = encode();
    renamed[14] = 0x46; // "format" becomes "Format": no format field
    expect(await problemOf(renamed)).toMatch(/^format undefined/);
    const older = encode();
    const formatAt = older.indexOf('"format":2');
    older.write('"format":1', formatAt, 'latin1');
    expect(await problemOf(older)).toBe('format 1, expected 2');
  });

  it('refuses a cache built for another model, vocabulary size, weighting or package', async () => {
    const buf = encode();
    expect(await problemOf(buf, { ...key, model: 'other' })).toMatch(/model/);
    expect(await problemOf(buf, { ...key, maxWords: 4 })).toMatch(/maxWords/);
    expect(await problemOf(buf, { ...key, weighting: 'w a=0.0001' })).toMatch(/weighting/);
    expect(await problemOf(buf, { ...key, source: 'pkg@2 10 bytes' })).toMatch(/built from pkg@1/);
  });

  it('accepts an intact cache from any package when none is installed to compare with, and says null when there is none', async () => {
    expect(await problemOf(encode(), { ...key, source: null })).toBeUndefined();
    expect(openGloveCache(join(dir, 'absent.bin'), key)).toBeNull();
    expect(await readFile(join(dir, 'cache.bin'))).toHaveLength(encode().length);
  });
});
