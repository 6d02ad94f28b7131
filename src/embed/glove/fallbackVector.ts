/**
 * A unit vector for a text in which no word is in the vocabulary (an identifier, a URL, an
 * empty string). The zero vector cannot be normalised and makes cosine distance undefined,
 * and one fixed vector would make every such text a perfect match for every other. Instead
 * each word gets a pseudo-random direction seeded by its hash, and the text the normalised
 * sum: deterministic, near-orthogonal to real sentence vectors, and equal words still meet.
 */
export function fallbackVector(words: readonly string[], dimensions: number): Float32Array {
  const sum = new Float64Array(dimensions);
  for (const word of words.length > 0 ? words : ['']) {
    const next = mulberry32(fnv1a(word));
    for (let d = 0; d < dimensions; d++) sum[d] += next() * 2 - 1;
  }
  return normalize(sum) ?? new Float32Array(dimensions).fill(1 / Math.sqrt(dimensions));
}

/** `values` scaled to unit length, as float32; null for the zero vector. */
export function normalize(values: Float64Array): Float32Array | null {
  let squares = 0;
  for (let d = 0; d < values.length; d++) squares += values[d] * values[d];
  if (!(squares > 0)) return null;
  const scale = 1 / Math.sqrt(squares);
  const out = new Float32Array(values.length);
  for (let d = 0; d < values.length; d++) out[d] = values[d] * scale;
  return out;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
