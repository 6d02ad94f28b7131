/**
 * A `text[]` parameter in Postgres's binary array format (array_recv): a header, then each
 * element's byte length and its UTF-8 bytes. PGLite's own serializer writes an array literal
 * (every element quoted and escaped in JS, then parsed back character by character inside
 * the wasm instance) and measures every string with a per-character loop, which for page
 * bodies and chunk texts was a large part of a first sync's time. Returns null where the
 * value is not a flat array of strings (and nulls); the caller then serializes it the usual way.
 */
export function binaryTextArray(value: unknown): Uint8Array | null {
  if (!Array.isArray(value)) return null;
  let size = 20 + 4 * value.length;
  let hasNull = 0;
  for (const v of value as unknown[]) {
    if (v === null || v === undefined) hasNull = 1;
    else if (typeof v === 'string') size += Buffer.byteLength(v, 'utf8');
    else return null;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(hasNull, 4);
  out.writeInt32BE(textOid, 8);
  out.writeInt32BE(value.length, 12); // elements in the one dimension
  out.writeInt32BE(1, 16); // its lower bound
  let at = 20;
  for (const v of value as (string | null | undefined)[]) {
    if (v === null || v === undefined) {
      out.writeInt32BE(-1, at);
      at += 4;
    } else {
      const bytes = out.write(v, at + 4, 'utf8');
      out.writeInt32BE(bytes, at);
      at += 4 + bytes;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** pg_type oids. */
const textOid = 25;
export const textArrayOid = 1009;
