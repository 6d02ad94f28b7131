import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import type { SifTable } from './buildSifTable.js';
import { blockHash, CachedRows, readAt } from './CachedRows.js';
import { SortedWords, sortWords } from './SortedWords.js';

/**
 * The binary cache of a SIF table, built once from the npm package's JSON so that later
 * loads need no arithmetic:
 *
 *   "BSGLOVE\n" | u32 LE header length | header JSON (space-padded to a multiple of 4)
 *   | rows: count × dimensions float32 LE
 *   | starts: (count + 1) × u32 LE, where each word begins in `words`
 *   | sorted: sortedCount × u32 LE, the rows in the byte order of their words
 *   | words: UTF-8, '\n'-joined
 *
 * The header names the format, the model, the package and settings it was built from, the
 * sizes, a checksum of the lookup (starts, sorted and words) and one of each block of rows,
 * so that a truncated, foreign or stale file is detected (and rebuilt by the caller) instead
 * of yielding wrong vectors. Opening reads the header and the lookup (~2 MB), no more: a word
 * is found by binary search (SortedWords), and a block of rows is read and checked when a
 * text first uses one of its words (CachedRows). A short embed or a search query reads a few
 * hundred kilobytes of the 40 MB file instead of all of it.
 */
export const gloveCacheFormat = 2;

/** Rows per checked block: 25.6 KB at 100 dimensions, one read and one hash of ~30 µs. */
export const gloveBlockRows = 64;

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
  /** Entries of `sorted` (fewer than count only if a word was listed twice). */
  sortedCount: number;
  /** sha256 of the rows and the words together: what the provider's fingerprint stands on. */
  payloadSha256: string;
  /** sha256 of starts, sorted and words, in that order. */
  lookupSha256: string;
  blockRows: number;
  /** Of each block of `blockRows` rows, in order: the first 32 hex digits of its sha256. */
  blockSha256: string[];
}

/** Header and the parts of the cache file for `table`, ready to be written in order. */
export function encodeGloveCache(table: SifTable, key: GloveCacheKey & { source: string }): { header: GloveCacheHeader; parts: Buffer[] } {
  if (!table.words) throw new Error('encodeGloveCache needs a table built from the word list');
  const { bytes: words, starts, sorted } = sortWords(table.words);
  const rows = toLittleEndian(table.rows);
  const lookup = [u32LittleEndian(starts), u32LittleEndian(sorted), words];
  const blockBytes = gloveBlockRows * table.dimensions * 4;
  const blockSha256: string[] = [];
  for (let at = 0; at < rows.length; at += blockBytes) blockSha256.push(blockHash(rows.subarray(at, at + blockBytes)));
  const header: GloveCacheHeader = {
    format: gloveCacheFormat,
    ...key,
    dimensions: table.dimensions,
    count: table.words.length,
    wordsBytes: words.length,
    sortedCount: sorted.length,
    payloadSha256: createHash('sha256').update(rows).update(words).digest('hex'),
    lookupSha256: sha256(lookup),
    blockRows: gloveBlockRows,
    blockSha256,
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((prefixBytes + json.length) % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(prefixBytes);
  magic.copy(prefix);
  prefix.writeUInt32LE(json.length, magic.length);
  return { header, parts: [prefix, json, rows, ...lookup] };
}

export interface OpenedGloveCache {
  header: GloveCacheHeader;
  /** Its rows fill in as they are used (CachedRows); close its loader when done. */
  table: SifTable & { index: SortedWords; loader: CachedRows };
}

/**
 * Opens a cache file: null when there is none, why it cannot be used, or its table, whose
 * rows are read on first use. Reads are synchronous and small (the header, then the lookup,
 * about 2 MB); the file stays open for the rows until the table's loader is closed.
 */
export function openGloveCache(file: string, expect: GloveCacheKey): OpenedGloveCache | { problem: string } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { problem: `unreadable (${(err as Error).message})` };
  }
  let opened: OpenedGloveCache | { problem: string } = { problem: 'unreadable' };
  try {
    opened = readHeaderAndLookup(fd, file, expect);
    return opened;
  } catch (err) {
    opened = { problem: `unreadable (${(err as Error).message})` };
    return opened;
  } finally {
    if ('problem' in opened) closeSync(fd);
  }
}

function readHeaderAndLookup(fd: number, file: string, expect: GloveCacheKey): OpenedGloveCache | { problem: string } {
  const size = fstatSync(fd).size;
  const prefix = readAt(fd, 0, Math.min(prefixBytes, size));
  if (prefix.length < prefixBytes || !prefix.subarray(0, magic.length).equals(magic)) return { problem: 'not a brainsync GloVe cache' };
  const start = prefixBytes + prefix.readUInt32LE(magic.length);
  if (start > size) return { problem: `truncated (${size} bytes)` };
  let header: GloveCacheHeader;
  try {
    header = JSON.parse(readAt(fd, prefixBytes, start - prefixBytes).toString('utf8')) as GloveCacheHeader;
  } catch {
    return { problem: 'unreadable header' };
  }
  const mismatch = compareKey(header, expect);
  if (mismatch) return { problem: mismatch };
  const blocks = Math.ceil(header.count / header.blockRows);
  if (!(header.blockRows > 0 && Array.isArray(header.blockSha256) && header.blockSha256.length === blocks && header.sortedCount <= header.count)) {
    return { problem: 'unreadable header' };
  }
  const rowBytes = header.count * header.dimensions * 4;
  const lookupBytes = (header.count + 1 + header.sortedCount) * 4 + header.wordsBytes;
  const end = start + rowBytes + lookupBytes;
  if (!(end === size && start % 4 === 0)) return { problem: `truncated or padded (${size} bytes, expected ${end})` };
  const lookup = readAt(fd, start + rowBytes, lookupBytes);
  if (sha256([lookup]) !== header.lookupSha256) return { problem: 'checksum mismatch (words)' };
  const starts = u32FromLittleEndian(lookup.subarray(0, (header.count + 1) * 4));
  const sorted = u32FromLittleEndian(lookup.subarray((header.count + 1) * 4, (header.count + 1 + header.sortedCount) * 4));
  const words = lookup.subarray((header.count + 1 + header.sortedCount) * 4);
  if (starts[header.count] !== header.wordsBytes + 1) return { problem: 'unreadable word list' };
  const rows = new Float32Array(header.count * header.dimensions);
  const loader = new CachedRows({ fd, file, rows, rowsAt: start, dimensions: header.dimensions, blockRows: header.blockRows, blockSha256: header.blockSha256, littleEndian });
  return { header, table: { dimensions: header.dimensions, rows, index: new SortedWords(words, starts, sorted), loader } };
}

function compareKey(header: GloveCacheHeader, expect: GloveCacheKey): string | null {
  if (header.format !== gloveCacheFormat) return `format ${header.format}, expected ${gloveCacheFormat}`;
  for (const field of ['model', 'maxWords', 'weighting'] as const) {
    if (header[field] !== expect[field]) return `built for ${field} ${header[field]}, expected ${expect[field]}`;
  }
  if (expect.source !== null && header.source !== expect.source) return `built from ${header.source}, installed is ${expect.source}`;
  return null;
}

function sha256(parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function toLittleEndian(values: Float32Array): Buffer {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (littleEndian) return bytes;
  const out = Buffer.alloc(values.byteLength);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  return out;
}

function u32LittleEndian(values: Uint32Array): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeUInt32LE(values[i], i * 4);
  return out;
}

function u32FromLittleEndian(bytes: Buffer): Uint32Array {
  if (littleEndian && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}
