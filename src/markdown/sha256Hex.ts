import * as crypto from 'node:crypto';

// crypto.hash (Node 20.12+) skips the Hash object and is about a third faster for short
// inputs; chunks are hashed on the hot path. Older Node 20 releases fall back to createHash.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

/** sha256 of the UTF-8 encoding of `text`, as lower-case hex. */
export function sha256Hex(text: string): string {
  if (oneShot) return oneShot('sha256', text, 'hex');
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
