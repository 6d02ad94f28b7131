/**
 * A `real[]` parameter in Postgres's binary array format (array_recv): a header, then each
 * element's length (4) and its IEEE-754 bytes, big-endian. As an array literal, every value
 * is printed in JS and parsed back by `float4in` inside PGLite's wasm instance: storing 500
 * vectors of 100 dimensions took ~80 ms that way against ~10 ms for the rows alone. Postgres
 * gets the same bytes (node-postgres sends a Buffer as a binary parameter).
 * Returns null where the value is not a Float32Array; the caller then serializes it the usual way.
 */
export function binaryFloat4Array(value: unknown): Uint8Array | null {
  if (!(value instanceof Float32Array)) return null;
  const out = Buffer.allocUnsafe(20 + 8 * value.length);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(0, 4); // no nulls
  out.writeInt32BE(float4Oid, 8);
  out.writeInt32BE(value.length, 12); // elements in the one dimension
  out.writeInt32BE(1, 16); // its lower bound
  let at = 20;
  for (let i = 0; i < value.length; i++) {
    out.writeInt32BE(4, at);
    out.writeFloatBE(value[i], at + 4);
    at += 8;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** pg_type oids. */
const float4Oid = 700;
export const float4ArrayOid = 1021;
