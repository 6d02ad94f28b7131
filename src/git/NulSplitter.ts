import { decodeGitPath } from './decodeGitPath.js';

/**
 * Splits git's `-z` output into NUL-terminated records as the chunks arrive, decoded as
 * UTF-8 with decodeGitPath, which keeps bytes that are not UTF-8 as escapes instead of
 * collapsing them into U+FFFD. Each chunk's complete records are decoded with one
 * `toString` and cut with string slices (cheap in V8), instead of one native call per
 * record; only a chunk whose text shows a U+FFFD is decoded record by record, and only a
 * record that straddles two chunks is concatenated. A NUL byte never occurs inside a UTF-8
 * sequence, so decoding up to a NUL never splits a character.
 */
export class NulSplitter {
  private partial: Buffer[] = [];

  constructor(private readonly onRecord: (record: string) => void) {}

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.partial.length > 0) {
      const nul = chunk.indexOf(0);
      if (nul === -1) {
        this.partial.push(chunk);
        return;
      }
      this.partial.push(chunk.subarray(0, nul));
      const joined = decodeGitPath(Buffer.concat(this.partial));
      this.partial = [];
      this.onRecord(joined);
      pos = nul + 1;
    }
    const last = chunk.lastIndexOf(0);
    if (last >= pos) {
      const text = chunk.toString('utf8', pos, last + 1);
      if (text.includes('\ufffd')) return this.pushEachRecord(chunk, pos);
      let start = 0;
      for (let nul = text.indexOf('\0'); nul !== -1; nul = text.indexOf('\0', start)) {
        this.onRecord(text.slice(start, nul));
        start = nul + 1;
      }
      pos = last + 1;
    }
    if (pos < chunk.length) this.partial.push(chunk.subarray(pos));
  }

  /** The slow path: decodes each record on its own, so escapes come out exact. */
  private pushEachRecord(chunk: Buffer, from: number): void {
    let pos = from;
    for (let nul = chunk.indexOf(0, pos); nul !== -1; nul = chunk.indexOf(0, pos)) {
      this.onRecord(decodeGitPath(chunk, pos, nul));
      pos = nul + 1;
    }
    if (pos < chunk.length) this.partial.push(chunk.subarray(pos));
  }

  /** True when the stream ended in the middle of a record (truncated output). */
  get hasPartial(): boolean {
    return this.partial.length > 0;
  }
}
