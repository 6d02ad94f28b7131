import { createHash, webcrypto } from 'node:crypto';
import { endianness } from 'node:os';
import { indexOfWords, type SifTable } from './buildSifTable.js';

/**
 * The binary cache of a SIF table, built once from the npm package's JSON so that later
 * loads are one file read and no arithmetic:
 *
 *   "BSGLOVE\n" | u32 LE header length | header JSON (space-padded to a multiple of 4)
 *   | rows: count × dimensions float32 LE | words: UTF-8, '\n'-joined
 *
 * The header names the format, the model, the package and settings it was built from, the
 * sizes, and the sha256 of everything after it, so a truncated, foreign or stale file is
 * detected (and rebuilt by the caller) instead of yielding wrong vectors.
 */
export const gloveCacheFormat = 1;

const magic = Buffer.from('BSGLOVE\n', 'latin1');
const prefixBytes = magic.length + 4;
const littleEndian = endianness() === 'LE';

/** What a cache must have been built from to be used. */
export interface GloveCacheKey {
  model: string;
  /** Package name, version and JSON size; null accepts any (the package is not installed). */
  source: string | null;
  /** The word limit it was built with (it may hold fewer if the vocabulary is smaller). */
  maxWords: number;
  /** Weighting algorithm and its parameters. */
  weighting: string;
}

export interface GloveCacheHeader extends GloveCacheKey {
  format: number;
  source: string;
  dimensions: number;
  count: number;
  wordsBytes: number;
  payloadSha256: string;
}

/** Header and the parts of the cache file for `table`, ready to be written in order. */
export function encodeGloveCache(table: SifTable, key: GloveCacheKey & { source: string }): { header: GloveCacheHeader; parts: Buffer[] } {
  const words = Buffer.from(table.words.join('\n'), 'utf8');
  const payload = [toLittleEndian(table.rows), words];
  const hash = createHash('sha256');
  for (const part of payload) hash.update(part);
  const header: GloveCacheHeader = {
    format: gloveCacheFormat,
    ...key,
    dimensions: table.dimensions,
    count: table.words.length,
    wordsBytes: words.length,
    payloadSha256: hash.digest('hex'),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((prefixBytes + json.length) % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(prefixBytes);
  magic.copy(prefix);
  prefix.writeUInt32LE(json.length, magic.length);
  return { header, parts: [prefix, json, ...payload] };
}

/**
 * Decodes a cache file, or says why it cannot be used. The checksum of the payload is
 * computed on the thread pool while this thread splits the words and builds their lookup,
 * the two largest costs of a load; the table is returned only once the checksum matches.
 */
export async function decodeGloveCache(buf: Buffer, expect: GloveCacheKey): Promise<DecodedGloveCache | { problem: string }> {
  if (buf.length < prefixBytes || !buf.subarray(0, magic.length).equals(magic)) return { problem: 'not a brainsync GloVe cache' };
  const start = prefixBytes + buf.readUInt32LE(magic.length);
  if (start > buf.length) return { problem: `truncated (${buf.length} bytes)` };
  let header: GloveCacheHeader;
  try {
    header = JSON.parse(buf.toString('utf8', prefixBytes, start)) as GloveCacheHeader;
  } catch {
    return { problem: 'unreadable header' };
  }
  const mismatch = compareKey(header, expect);
  if (mismatch) return { problem: mismatch };
  const rowBytes = header.count * header.dimensions * 4;
  const end = start + rowBytes + header.wordsBytes;
  if (!(end === buf.length && start % 4 === 0)) return { problem: `truncated or padded (${buf.length} bytes, expected ${end})` };
  const payload = buf.subarray(start);
  const checksum = webcrypto.subtle.digest('SHA-256', payload);
  const words = buf.toString('utf8', start + rowBytes, end).split('\n');
  const index = words.length === header.count ? indexOfWords(words) : null;
  if (Buffer.from(await checksum).toString('hex') !== header.payloadSha256) return { problem: 'checksum mismatch' };
  if (index === null) return { problem: `${words.length} words, expected ${header.count}` };
  const rows = float32FromLittleEndian(payload.subarray(0, rowBytes));
  return { header, table: { dimensions: header.dimensions, words, rows, index } };
}

export interface DecodedGloveCache {
  header: GloveCacheHeader;
  table: SifTable;
}

function compareKey(header: GloveCacheHeader, expect: GloveCacheKey): string | null {
  if (header.format !== gloveCacheFormat) return `format ${header.format}, expected ${gloveCacheFormat}`;
  for (const field of ['model', 'maxWords', 'weighting'] as const) {
    if (header[field] !== expect[field]) return `built for ${field} ${header[field]}, expected ${expect[field]}`;
  }
  if (expect.source !== null && header.source !== expect.source) return `built from ${header.source}, installed is ${expect.source}`;
  return null;
}

function toLittleEndian(values: Float32Array): Buffer {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (littleEndian) return bytes;
  const out = Buffer.alloc(values.byteLength);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  return out;
}

/** The float32 values in `bytes`: a view when the host is little-endian and it is aligned. */
function float32FromLittleEndian(bytes: Buffer): Float32Array {
  if (littleEndian && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}
