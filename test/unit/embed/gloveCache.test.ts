import { describe, expect, it } from 'vitest';
import type { SifTable } from '../../../src/embed/glove/buildSifTable.js';
import { decodeGloveCache, encodeGloveCache, type GloveCacheKey } from '../../../src/embed/glove/gloveCache.js';

const table: SifTable = {
  dimensions: 3,
  words: ['the', 'zürich', 'москва'],
  rows: Float32Array.from([0.1, -0.2, 0.3, 1.5, 2.5, -3.5, 1e-7, 0, -1]),
};
const key: GloveCacheKey & { source: string } = { model: 'glove-test', source: 'pkg@1 10 bytes', maxWords: 3, weighting: 'w a=0.001' };

function encode(): Buffer {
  return Buffer.concat(encodeGloveCache(table, key).parts);
}

async function problemOf(buf: Buffer, expect: GloveCacheKey = key): Promise<string | undefined> {
  const decoded = await decodeGloveCache(buf, expect);
  return 'problem' in decoded ? decoded.problem : undefined;
}

describe('the GloVe cache file', () => {
  it('decodes to the table it was encoded from', async () => {
    const decoded = await decodeGloveCache(encode(), key);
    if ('problem' in decoded) throw new Error(decoded.problem);
    expect(decoded.table.words).toEqual(table.words);
    expect(Array.from(decoded.table.rows)).toEqual(Array.from(table.rows));
    expect(decoded.header).toMatchObject({ ...key, dimensions: 3, count: 3 });
    expect(decoded.header.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('detects a truncated file', async () => {
    const buf = encode();
    expect(await problemOf(buf.subarray(0, buf.length - 1))).toMatch(/truncated/);
    expect(await problemOf(buf.subarray(0, 20))).toMatch(/truncated|unreadable header/);
    expect(await problemOf(buf.subarray(0, 4))).toMatch(/not a brainsync GloVe cache/);
    expect(await problemOf(Buffer.alloc(0))).toMatch(/not a brainsync GloVe cache/);
  });

  it('detects extra bytes and a changed byte in the vectors', async () => {
    const buf = encode();
    expect(await problemOf(Buffer.concat([buf, Buffer.from([0])]))).toMatch(/padded/);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 30] ^= 0x01;
    expect(await problemOf(flipped)).toBe('checksum mismatch');
  });

  it('detects a foreign file and a damaged header', async () => {
    expect(await problemOf(Buffer.from('{"words":[]}'))).toMatch(/not a brainsync GloVe cache/);
    const broken = encode();
    broken[12] = 0x5b; // the header JSON's opening brace becomes '['
    expect(await problemOf(broken)).toBe('unreadable header');
    const renamed = encode();
    renamed[14] = 0x46; // "format" becomes "Format": no format field
    expect(await problemOf(renamed)).toMatch(/^format undefined/);
  });

  it('refuses a cache built for another model, vocabulary size, weighting or package', async () => {
    const buf = encode();
    expect(await problemOf(buf, { ...key, model: 'other' })).toMatch(/model/);
    expect(await problemOf(buf, { ...key, maxWords: 4 })).toMatch(/maxWords/);
    expect(await problemOf(buf, { ...key, weighting: 'w a=0.0001' })).toMatch(/weighting/);
    expect(await problemOf(buf, { ...key, source: 'pkg@2 10 bytes' })).toMatch(/built from pkg@1/);
  });

  it('accepts an intact cache from any package when none is installed to compare with', async () => {
    expect(await problemOf(encode(), { ...key, source: null })).toBeUndefined();
  });
});
