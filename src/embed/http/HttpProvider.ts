import { EmbedError } from '../EmbedError.js';
import type { EmbedOptions, EmbeddingProvider } from '../EmbeddingProvider.js';
import { cutText, embedInBatches, type BatchLimits } from './embedInBatches.js';
import type { EmbeddingsClient, ServerInfo } from './EmbeddingsClient.js';

/** What the factory learned from the server before the provider could exist. */
export interface HttpProviderFacts {
  dimensions: number;
  fingerprint: string;
  maxInputChars: number;
  limits: BatchLimits;
  info: ServerInfo | null;
}

/**
 * `http:MODEL`: any server that speaks OpenAI's `POST /v1/embeddings` (text-embeddings-
 * inference, vLLM, Infinity, Ollama, OpenAI). Texts are cut to `maxInputChars`, sent in
 * batches sized by the server's published limits, `concurrency` requests at a time, retried
 * on 429, 5xx and network errors, and the vectors normalised here. Create it with
 * `createHttpProvider`, which asks the server what it is first.
 */
export class HttpProvider implements EmbeddingProvider {
  readonly name = 'http';
  readonly model: string;
  readonly dimensions: number;
  readonly fingerprint: string;
  readonly maxInputChars: number;
  /** The server's root URL, for messages (the fingerprint does not depend on it). */
  readonly url: string;
  /** What TEI's /info reported; null for servers that publish nothing. */
  readonly serverInfo: ServerInfo | null;
  private readonly limits: BatchLimits;
  private readonly closing = new AbortController();

  constructor(
    private readonly client: EmbeddingsClient,
    facts: HttpProviderFacts,
  ) {
    this.model = client.settings.model;
    this.url = client.settings.root;
    this.dimensions = facts.dimensions;
    this.fingerprint = facts.fingerprint;
    this.maxInputChars = facts.maxInputChars;
    this.limits = { ...facts.limits };
    this.serverInfo = facts.info;
  }

  /** Current request size limits (the input count shrinks if the server answers 413 to whole batches). */
  get batchLimits(): Readonly<BatchLimits> {
    return { ...this.limits };
  }

  async embed(texts: readonly string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    if (this.closing.signal.aborted) {
      throw new EmbedError(`the http provider for ${this.client.server} was closed; create a new one`);
    }
    opts.signal?.throwIfAborted();
    if (texts.length === 0) return [];
    const inputs = texts.map((text) => toInput(text, this.maxInputChars));
    return embedInBatches(
      inputs,
      (batch, batchSignal) => this.client.embed(batch, this.dimensions, batchSignal),
      this.limits,
      this.client.settings.concurrency,
      this.client.server,
      [opts.signal, this.closing.signal],
    );
  }

  /** Aborts requests in flight (their embed calls reject); later calls are refused. */
  async close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort(new EmbedError(`the http provider for ${this.client.server} was closed while embedding`));
    }
  }
}

/**
 * What is sent for a text: its first `maxInputChars` units, and a single space for an empty
 * text, which servers refuse (OpenAI and text-embeddings-inference answer 400 or 413) while
 * the contract promises every text a vector — the model's own vector of "nothing".
 */
export function toInput(text: string, maxInputChars: number): string {
  const cut = cutText(text, maxInputChars);
  return cut.length === 0 ? ' ' : cut;
}
