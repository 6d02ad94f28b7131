/**
 * A `text[]` parameter in Postgres's binary array format (array_recv): a header, then each
 * element's byte length and its UTF-8 bytes. PGLite's own serializer writes an array literal
 * (every element quoted and escaped in JS, then parsed back character by character inside
 * the wasm instance) and measures every string with a per-character loop: for a batch of page
 * bodies that was ~1.5 s of a 10K-page first sync. Returns null where the value is not a flat
 * array of strings (and nulls); the caller then serializes it the usual way.
 */
export function binaryTextArray(value: unknown): Uint8Array | null {
  if (!Array.isArray(value)) return null;
  const parts: (Buffer | null)[] = new Array(value.length);
  let size = 20 + 4 * value.length;
  let hasNull = 0;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (v === null || v === undefined) {
      parts[i] = null;
      hasNull = 1;
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      parts[i] = bytes;
      size += bytes.length;
    } else return null;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(hasNull, 4);
  out.writeInt32BE(textOid, 8);
  out.writeInt32BE(value.length, 12); // elements in the one dimension
  out.writeInt32BE(1, 16); // its lower bound
  let at = 20;
  for (const bytes of parts) {
    if (bytes === null) {
      out.writeInt32BE(-1, at);
      at += 4;
    } else {
      out.writeInt32BE(bytes.length, at);
      bytes.copy(out, at + 4);
      at += 4 + bytes.length;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** pg_type oids. */
const textOid = 25;
export const textArrayOid = 1009;
