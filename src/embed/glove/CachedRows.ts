import { createHash } from 'node:crypto';
import { closeSync, readSync, unlinkSync } from 'node:fs';
import { EmbedError } from '../EmbedError.js';

export interface CachedRowsOptions {
  fd: number;
  file: string;
  /** Zero-filled, `count * dimensions` long: blocks are read into it as they are needed. */
  rows: Float32Array;
  /** Where the rows start in the file. */
  rowsAt: number;
  dimensions: number;
  blockRows: number;
  blockSha256: string[];
  littleEndian: boolean;
}

/**
 * The rows of an opened GloVe cache, read block by block on first use and checked against
 * the block's checksum before any of it is used. Words are ranked by frequency, so the
 * blocks a text needs are few and mostly the first ones. A block that does not match means
 * the file was damaged after it was written: it is removed, so that the next load rebuilds
 * it from the package, and the embedding stops with an EmbedError (its chunks stay queued).
 */
export class CachedRows {
  private readonly loaded: Uint8Array;
  private closed = false;

  constructor(private readonly o: CachedRowsOptions) {
    this.loaded = new Uint8Array(o.blockSha256.length);
  }

  /** Makes the row at `row` readable in `rows`. */
  ensure(row: number): void {
    const block = Math.floor(row / this.o.blockRows);
    if (this.loaded[block] !== 1) this.load(block);
  }

  /** How many blocks have been read so far (for tests and measurements). */
  get blocksRead(): number {
    return this.loaded.reduce((n, b) => n + b, 0);
  }

  private load(block: number): void {
    const { o } = this;
    if (this.closed) throw new EmbedError(`${o.file}: the word vectors were closed; load the model again`);
    const rowBytes = o.dimensions * 4;
    const first = block * o.blockRows;
    const count = Math.min(o.blockRows, o.rows.length / o.dimensions - first);
    const bytes = readAt(o.fd, o.rowsAt + first * rowBytes, count * rowBytes);
    if (bytes.length !== count * rowBytes || blockHash(bytes) !== o.blockSha256[block]) this.damaged(block);
    const base = first * o.dimensions;
    if (o.littleEndian && bytes.byteOffset % 4 === 0) {
      o.rows.set(new Float32Array(bytes.buffer, bytes.byteOffset, count * o.dimensions), base);
    } else {
      for (let i = 0; i < count * o.dimensions; i++) o.rows[base + i] = bytes.readFloatLE(i * 4);
    }
    this.loaded[block] = 1;
  }

  private damaged(block: number): never {
    let removed = true;
    try {
      unlinkSync(this.o.file);
    } catch {
      removed = false;
    }
    throw new EmbedError(
      `${this.o.file}: block ${block} of the word vectors does not match its checksum (the file was damaged after it was written); ` +
        (removed ? 'it was removed, and the next run rebuilds it from the package.' : 'delete it, and the next run rebuilds it from the package.'),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.o.fd);
    } catch {
      // already closed
    }
  }
}

/** What a block's checksum in the cache header is: the first 32 hex digits of its sha256. */
export function blockHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** `length` bytes at `position`, or fewer where the file ends. */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buf, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}
