/**
 * Word tokeniser shared by the GloVe cache builder and the GloVe provider: a word is a
 * maximal run of Unicode letters, digits and combining marks, lower-cased. Everything else
 * (punctuation, symbols, spaces, apostrophes, hyphens) separates words, so "well-known"
 * gives "well" and "known". The cache keeps only vocabulary entries this tokeniser can
 * produce, so the two must never disagree.
 */

// Per UTF-16 code unit: 0 = not yet classified, 1 = word character, 2 = separator.
// Classifying through a regular expression is slow; memoising per code unit keeps the hot
// loop to one array read per character.
const classes = new Uint8Array(0x10000);
const wordChar = /^[\p{L}\p{N}\p{M}]$/u;

for (let c = 0; c < 0x80; c++) {
  const isWord = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  classes[c] = isWord ? 1 : 2;
}

function classify(c: number): number {
  const known = classes[c];
  if (known !== 0) return known;
  const cls = wordChar.test(String.fromCharCode(c)) ? 1 : 2;
  classes[c] = cls;
  return cls;
}

/** Width of the word character at `i` (1, or 2 for an astral letter/digit), 0 for a separator. */
function wordCharWidth(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return classify(c) === 1 ? 1 : 0;
  // Surrogate pairs (rare: astral scripts) are classified by their code point, unmemoised.
  const cp = text.codePointAt(i)!;
  if (cp <= 0xffff) return 0; // a lone surrogate
  return wordChar.test(String.fromCodePoint(cp)) ? 2 : 0;
}

/**
 * Calls `visit` with each lower-cased word of `text`, in order, stopping after `maxWords`
 * words. Allocates nothing per word beyond the word string itself.
 */
export function forEachWord(text: string, maxWords: number, visit: (word: string) => void): void {
  const lower = text.toLowerCase();
  const n = lower.length;
  let start = -1;
  let count = 0;
  let i = 0;
  while (i < n) {
    const width = wordCharWidth(lower, i);
    if (width > 0) {
      if (start < 0) start = i;
      i += width;
      continue;
    }
    if (start >= 0) {
      visit(lower.slice(start, i));
      start = -1;
      if (++count >= maxWords) return;
    }
    i++;
  }
  if (start >= 0) visit(lower.slice(start, n));
}

/** The words `forEachWord` would visit, as an array (tests, the cache builder). */
export function tokenize(text: string, maxWords = Number.POSITIVE_INFINITY): string[] {
  const words: string[] = [];
  forEachWord(text, maxWords, (word) => words.push(word));
  return words;
}
