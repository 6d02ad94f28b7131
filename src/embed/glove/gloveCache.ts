import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { indexOfWords, type SifTable } from './buildSifTable.js';
import { blockHash, CachedRows, readAt } from './CachedRows.js';

/**
 * The binary cache of a SIF table, built once from the npm package's JSON so that later
 * loads need no arithmetic:
 *
 *   "BSGLOVE\n" | u32 LE header length | header JSON (space-padded to a multiple of 4)
 *   | rows: count × dimensions float32 LE | words: UTF-8, '\n'-joined
 *
 * The header names the format, the model, the package and settings it was built from, the
 * sizes, a checksum of the words and one of each block of rows, so that a truncated, foreign
 * or stale file is detected (and rebuilt by the caller) instead of yielding wrong vectors.
 * Opening reads the header and the words only; a block of rows is read and checked when a
 * text first uses one of its words (CachedRows), which makes a short embed or a search
 * query read a few hundred kilobytes of the 40 MB file instead of all of it.
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
  /** sha256 of the rows and the words together: what the provider's fingerprint stands on. */
  payloadSha256: string;
  wordsSha256: string;
  blockRows: number;
  /** Of each block of `blockRows` rows, in order: the first 32 hex digits of its sha256. */
  blockSha256: string[];
}

/** Header and the parts of the cache file for `table`, ready to be written in order. */
export function encodeGloveCache(table: SifTable, key: GloveCacheKey & { source: string }): { header: GloveCacheHeader; parts: Buffer[] } {
  const words = Buffer.from(table.words.join('\n'), 'utf8');
  const rows = toLittleEndian(table.rows);
  const payload = createHash('sha256').update(rows).update(words);
  const blockBytes = gloveBlockRows * table.dimensions * 4;
  const blockSha256: string[] = [];
  for (let at = 0; at < rows.length; at += blockBytes) blockSha256.push(blockHash(rows.subarray(at, at + blockBytes)));
  const header: GloveCacheHeader = {
    format: gloveCacheFormat,
    ...key,
    dimensions: table.dimensions,
    count: table.words.length,
    wordsBytes: words.length,
    payloadSha256: payload.digest('hex'),
    wordsSha256: createHash('sha256').update(words).digest('hex'),
    blockRows: gloveBlockRows,
    blockSha256,
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((prefixBytes + json.length) % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(prefixBytes);
  magic.copy(prefix);
  prefix.writeUInt32LE(json.length, magic.length);
  return { header, parts: [prefix, json, rows, words] };
}

export interface OpenedGloveCache {
  header: GloveCacheHeader;
  /** Its rows fill in as they are used (CachedRows); close its loader when done. */
  table: SifTable & { loader: CachedRows };
}

/**
 * Opens a cache file: null when there is none, why it cannot be used, or its table, whose
 * rows are read on first use. Reads are synchronous and small (the header, then the words,
 * about 1 MB); the file stays open for the rows until the table's loader is closed.
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
    opened = readHeaderAndWords(fd, file, expect);
    return opened;
  } catch (err) {
    opened = { problem: `unreadable (${(err as Error).message})` };
    return opened;
  } finally {
    if ('problem' in opened) closeSync(fd);
  }
}

function readHeaderAndWords(fd: number, file: string, expect: GloveCacheKey): OpenedGloveCache | { problem: string } {
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
  if (!(header.blockRows > 0 && Array.isArray(header.blockSha256) && header.blockSha256.length === blocks)) {
    return { problem: 'unreadable header' };
  }
  const rowBytes = header.count * header.dimensions * 4;
  const end = start + rowBytes + header.wordsBytes;
  if (!(end === size && start % 4 === 0)) return { problem: `truncated or padded (${size} bytes, expected ${end})` };
  const wordBytes = readAt(fd, start + rowBytes, header.wordsBytes);
  if (createHash('sha256').update(wordBytes).digest('hex') !== header.wordsSha256) return { problem: 'checksum mismatch (words)' };
  const words = wordBytes.toString('utf8').split('\n');
  if (words.length !== header.count) return { problem: `${words.length} words, expected ${header.count}` };
  const rows = new Float32Array(header.count * header.dimensions);
  const loader = new CachedRows({ fd, file, rows, rowsAt: start, dimensions: header.dimensions, blockRows: header.blockRows, blockSha256: header.blockSha256, littleEndian });
  return { header, table: { dimensions: header.dimensions, words, rows, index: indexOfWords(words), loader } };
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
