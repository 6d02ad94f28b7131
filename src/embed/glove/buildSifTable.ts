import type { GloveTable } from './readWinkVectors.js';
import { sifWeights, zipfProbabilities } from './sifWeights.js';

/** Word vectors ready to be summed: a text's vector is the normalised sum of its words' rows. */
export interface SifTable {
  dimensions: number;
  /** Most frequent first; none contains a newline. Absent from a table opened from the cache file (its index finds words). */
  words?: string[];
  /** One row of `dimensions` values per word, the row of word i at i * dimensions. */
  rows: Float32Array;
  /** Word → row, where the loader has one already (otherwise built from `words`). */
  index?: WordIndex;
  /** Where `rows` fill in on first use (a table opened from the cache file): ensure(row) before reading a row. */
  loader?: RowLoader;
}

export interface WordIndex {
  get(word: string): number | undefined;
}

export interface RowLoader {
  ensure(row: number): void;
  close(): void;
}

/** Names what buildSifTable does; change it whenever the computation changes. */
export const sifWeighting = 'sif-zipf/common-component-removed/v1';

/**
 * Multiplies each word vector by its SIF weight and strips the common component from it.
 *
 * The common component is SIF's second step: all mean word vectors share one direction
 * (frequent, contentless usage), which makes unrelated texts look alike (cosine ~0.5). SIF
 * removes the first principal component of a corpus's sentence vectors; here it is estimated
 * once from the vocabulary itself, as the probability-weighted mean of the weighted vectors
 * (for this model it has cosine 0.99 with the leading principal component of those vectors),
 * so a text's vector never depends on what else is in the brain. Removing it from every row
 * equals removing it from every sum, since the projection is linear.
 */
export function buildSifTable(table: GloveTable, a: number): SifTable {
  const dims = table.dimensions;
  const count = table.words.length;
  const probabilities = zipfProbabilities(table.ranks, table.sourceSize);
  const weights = sifWeights(probabilities, a);
  const rows = new Float32Array(table.vectors);
  const common = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dims; d++) {
      rows[i * dims + d] *= weights[i];
      common[d] += probabilities[i] * rows[i * dims + d];
    }
  }
  const length = Math.hypot(...common);
  if (length > 0) {
    for (let d = 0; d < dims; d++) common[d] /= length;
    for (let i = 0; i < count; i++) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += rows[i * dims + d] * common[d];
      for (let d = 0; d < dims; d++) rows[i * dims + d] -= dot * common[d];
    }
  }
  return { dimensions: dims, words: table.words, rows };
}

/** Word → row. */
export function indexOfWords(words: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) index.set(words[i], i);
  return index;
}
