/**
 * What the embed phase needs from a model, whatever runs it (word vectors in-process, an
 * ONNX session, a remote server). Deliberately narrow: batching, budgets and storage live in
 * the embed phase, not in providers.
 */
export interface EmbeddingProvider {
  /** Provider kind, as named in a source's settings: 'glove', 'onnx', 'http'. */
  readonly name: string;
  /** Model identifier stored with every vector, e.g. 'glove-wink-sg-100d'. */
  readonly model: string;
  /** Length of every vector `embed` returns. */
  readonly dimensions: number;
  /**
   * sha256 hex of the weights and of every setting that changes the vectors (weighting,
   * tokenisation, pooling). Two providers with equal fingerprints produce equal vectors, so
   * vectors are only ever compared with vectors of the same fingerprint.
   */
  readonly fingerprint: string;
  /**
   * Only the first `maxInputChars` UTF-16 code units of a text are embedded; the rest is
   * ignored (never an error). Callers may use it to size batches.
   */
  readonly maxInputChars: number;
  /**
   * One L2-normalised vector per text, in input order. Every text gets a unit vector, the
   * empty string included. Rejects with the signal's reason when `signal` aborts.
   */
  embed(texts: readonly string[], opts?: EmbedOptions): Promise<Float32Array[]>;
  /**
   * False when the model can say nothing about the text's meaning (GloVe: none of its words is
   * in the vocabulary, so its vector is a stand-in). Search then leaves the query to full text
   * instead of ranking by a vector that is near nothing in particular. Absent: always true.
   */
  understands?(text: string): boolean;
  /** Releases what the provider holds (memory, sessions, sockets). Idempotent. */
  close(): Promise<void>;
}

export interface EmbedOptions {
  signal?: AbortSignal;
}
