/**
 * Word → row over a cache file's words as they lie in it, without a JavaScript string per
 * word: `starts[i]` is where word i begins in `words` (UTF-8, '\n'-joined; one extra entry
 * past the end), `sorted` lists the rows in the byte order of their words. A lookup encodes
 * the word and binary-searches (~17 native comparisons for 100,000 words, ~2 µs); answers,
 * misses included, are kept, so a text's repeated words cost one Map lookup as before.
 * Building a Map of every word instead took ~60 ms on the AMD host, a third of opening the
 * model for a short embed or a search query.
 */
export class SortedWords {
  private readonly known = new Map<string, number>();

  constructor(
    private readonly words: Buffer,
    private readonly starts: Uint32Array,
    private readonly sorted: Uint32Array,
  ) {}

  /** The row of `word`, or undefined when it is not in the vocabulary (same as Map.get). */
  get(word: string): number | undefined {
    let row = this.known.get(word);
    if (row === undefined) {
      row = this.search(Buffer.from(word, 'utf8'));
      this.known.set(word, row);
    }
    return row < 0 ? undefined : row;
  }

  /** The word of `row` (for tests and messages). */
  wordAt(row: number): string {
    return this.words.toString('utf8', this.starts[row], this.starts[row + 1] - 1);
  }

  /** A row whose word's bytes equal `key`, or -1. */
  private search(key: Buffer): number {
    const { words, starts, sorted } = this;
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const row = sorted[mid];
      const order = key.compare(words, starts[row], starts[row + 1] - 1);
      if (order === 0) return row;
      if (order < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }
}

/**
 * What SortedWords needs, computed when a cache file is built: each word's start, and the
 * rows sorted by their words' bytes. A word listed twice resolves to its last row, as a Map
 * built in row order would.
 */
export function sortWords(words: readonly string[]): { bytes: Buffer; starts: Uint32Array; sorted: Uint32Array } {
  const parts = words.map((w) => Buffer.from(w, 'utf8'));
  const starts = new Uint32Array(words.length + 1);
  for (let i = 0; i < parts.length; i++) starts[i + 1] = starts[i] + parts[i].length + 1;
  const order = Array.from(parts.keys()).sort((a, b) => Buffer.compare(parts[a], parts[b]) || b - a);
  // Of equal words keep the first in this order (the last row); binary search must not land on another.
  const unique = order.filter((row, i) => i === 0 || !parts[order[i - 1]].equals(parts[row]));
  return { bytes: Buffer.from(words.join('\n'), 'utf8'), starts, sorted: Uint32Array.from(unique) };
}
