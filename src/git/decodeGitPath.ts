import { findInvalidUtf8 } from '../markdown/findInvalidUtf8.js';

const REPLACEMENT = '\ufffd';
/** Byte 0xHH that is not part of valid UTF-8 becomes U+DC00 + 0xHH (U+DC80…U+DCFF). */
const ESCAPE_BASE = 0xdc00;

/**
 * Decodes bytes git printed (a path, or a record that holds one) as UTF-8, keeping every
 * byte that is not valid UTF-8 as an unpaired surrogate (Python's "surrogateescape").
 * Git paths are bytes; decoding with replacement characters would give `caf\xe9.md` and
 * `caf\xe8.md` the same name and turn two files into one page. Valid UTF-8 never decodes to
 * an unpaired surrogate, so the escapes are unambiguous, and displayPath shows them as
 * `\xHH`. Only text that decoded with a U+FFFD takes the slow path.
 */
export function decodeGitPath(bytes: Buffer, start = 0, end = bytes.length): string {
  const fast = bytes.toString('utf8', start, end);
  if (!fast.includes(REPLACEMENT)) return fast;
  let out = '';
  let pos = start;
  while (pos < end) {
    const bad = findInvalidUtf8(bytes.subarray(pos, end));
    if (bad === -1) return out + bytes.toString('utf8', pos, end);
    out += bytes.toString('utf8', pos, pos + bad) + String.fromCharCode(ESCAPE_BASE + bytes[pos + bad]);
    pos += bad + 1;
  }
  return out;
}
