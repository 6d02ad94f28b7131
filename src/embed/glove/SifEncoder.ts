import { fallbackVector, normalize } from './fallbackVector.js';
import { indexOfWords, type RowLoader, type SifTable, type WordIndex } from './buildSifTable.js';
import { forEachWord, tokenize } from './tokenize.js';

/**
 * Turns a text into the SIF-weighted mean of its words' vectors, less the common component
 * (see buildSifTable), L2-normalised. Words out of the vocabulary are skipped; a text with
 * no known word gets `fallbackVector`. Only the first `maxWords` words count: beyond a few
 * hundred words the mean barely moves, and the cap bounds the time any one text can take.
 */
export class SifEncoder {
  readonly dimensions: number;
  private readonly maxWords: number;
  private readonly index: WordIndex;
  /** Word vectors already weighted and centred: one add per dimension and word. */
  private readonly rows: Float32Array;
  private readonly loader: RowLoader | null;
  private readonly sum: Float64Array;
  private known = 0;

  constructor(table: SifTable, maxWords: number) {
    this.dimensions = table.dimensions;
    this.maxWords = maxWords;
    this.index = table.index ?? indexOfWords(table.words ?? []);
    this.rows = table.rows;
    this.loader = table.loader ?? null;
    this.sum = new Float64Array(table.dimensions);
  }

  encode(text: string): Float32Array {
    this.sum.fill(0);
    this.known = 0;
    forEachWord(text, this.maxWords, this.addWord);
    const out = this.known > 0 ? normalize(this.sum) : null;
    return out ?? fallbackVector(tokenize(text, this.maxWords), this.dimensions);
  }

  /** Whether any of the text's counted words is in the vocabulary (else encode gives the fallback). */
  knowsAnyWord(text: string): boolean {
    return tokenize(text, this.maxWords).some((word) => this.index.get(word) !== undefined);
  }

  // One closure for the encoder's lifetime, so encoding allocates nothing per word.
  private readonly addWord = (word: string): void => {
    const slot = this.index.get(word);
    if (slot === undefined) return;
    this.loader?.ensure(slot);
    const dims = this.dimensions;
    const base = slot * dims;
    const sum = this.sum;
    const rows = this.rows;
    // Unrolled by four: a third faster in V8, and this loop is most of the embedding time.
    let d = 0;
    for (; d + 3 < dims; d += 4) {
      sum[d] += rows[base + d];
      sum[d + 1] += rows[base + d + 1];
      sum[d + 2] += rows[base + d + 2];
      sum[d + 3] += rows[base + d + 3];
    }
    for (; d < dims; d++) sum[d] += rows[base + d];
    this.known++;
  };
}
