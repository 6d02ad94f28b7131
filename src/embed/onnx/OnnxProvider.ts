import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EmbedError } from '../EmbedError.js';
import type { EmbedOptions, EmbeddingProvider } from '../EmbeddingProvider.js';
import type { Pooling } from './choosePooling.js';
import type { EncodedText, OnnxTokenizer } from './OnnxTokenizer.js';
import { planBatches } from './planBatches.js';
import { runOnnxBatch, type OnnxBatchModel } from './runOnnxBatch.js';

/**
 * Characters read per token of the model's limit. English averages ~4 characters a token;
 * 32 leaves room for markup and whitespace, so a text is cut by the token limit, not here,
 * while a 2 MB chunk is never handed whole to the tokenizer.
 */
export const CHARS_PER_TOKEN_LIMIT = 32;
/** Longest stretch of tokenising before the event loop gets a turn (timers, signals). */
const sliceMs = 10;

export interface OnnxProviderParts {
  model: string;
  dir: string;
  batchModel: OnnxBatchModel;
  tokenizer: OnnxTokenizer;
  dimensions: number;
  fingerprint: string;
  executionProvider: 'cuda' | 'cpu';
  notice: string | null;
  modelBytes: number;
  batchTokens: number;
}

/**
 * A user-supplied transformer (`model.onnx` + `tokenizer.json`) run in-process by
 * onnxruntime-node. Create it with createOnnxProvider.
 */
export class OnnxProvider implements EmbeddingProvider {
  readonly name = 'onnx';
  readonly model: string;
  readonly dir: string;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly maxInputChars: number;
  /** Tokens per text, special tokens included; longer texts are cut. */
  readonly maxTokens: number;
  readonly pooling: Pooling;
  readonly executionProvider: 'cuda' | 'cpu';
  /** Set when CUDA was wanted and the CPU is used; the caller shows it once. */
  readonly notice: string | null;
  /** Size of model.onnx, for GPU sizing (batchTokenBudget). */
  readonly modelBytes: number;
  /**
   * Tokens (padding included) per model call; `embed` splits larger inputs. The embed phase
   * may set it from batchTokenBudget before a run.
   */
  batchTokens: number;
  private batchModel: OnnxBatchModel | null;
  private readonly tokenizer: OnnxTokenizer;

  constructor(parts: OnnxProviderParts) {
    this.model = parts.model;
    this.dir = parts.dir;
    this.batchModel = parts.batchModel;
    this.tokenizer = parts.tokenizer;
    this.dimensions = parts.dimensions;
    this.fingerprint = parts.fingerprint;
    this.maxTokens = parts.tokenizer.maxTokens;
    this.maxInputChars = this.maxTokens * CHARS_PER_TOKEN_LIMIT;
    this.pooling = parts.batchModel.pooling;
    this.executionProvider = parts.executionProvider;
    this.notice = parts.notice;
    this.modelBytes = parts.modelBytes;
    this.batchTokens = parts.batchTokens;
  }

  async embed(texts: readonly string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const { signal } = opts;
    signal?.throwIfAborted();
    if (!this.batchModel) throw new EmbedError(`the onnx model ${this.model} was closed; create a new provider`);
    const encoded = await this.encodeAll(texts, signal);
    const out = new Array<Float32Array>(texts.length);
    for (const batch of planBatches(encoded.map((e) => e.ids.length), this.batchTokens)) {
      signal?.throwIfAborted();
      const model: OnnxBatchModel | null = this.batchModel;
      if (!model) throw new EmbedError(`the onnx model ${this.model} was closed during embedding`);
      const vectors = await runOnnxBatch(model, batch.map((i) => encoded[i]), signal);
      batch.forEach((textIndex, j) => (out[textIndex] = vectors[j]));
    }
    signal?.throwIfAborted();
    return out;
  }

  /** Tokens of each text's first maxInputChars, yielding now and then: tokenising is synchronous. */
  private async encodeAll(texts: readonly string[], signal?: AbortSignal): Promise<EncodedText[]> {
    const encoded: EncodedText[] = [];
    let sliceStart = performance.now();
    for (const text of texts) {
      encoded.push(this.tokenizer.encode(clip(text, this.maxInputChars)));
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        signal?.throwIfAborted();
        sliceStart = performance.now();
      }
    }
    return encoded;
  }

  async close(): Promise<void> {
    const model = this.batchModel;
    this.batchModel = null;
    await model?.session.release();
  }
}

/** The first `max` UTF-16 units, without a high surrogate cut from its pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
