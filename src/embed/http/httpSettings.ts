import { ConfigError } from '../../errors.js';
import { abortableSleep } from './abortableSleep.js';
import { serverRoot } from './serverRoot.js';

export interface HttpProviderOptions {
  /** The server, with or without a trailing `/v1`: `http://gpu-box:8080`, `https://api.openai.com/v1`. */
  url: string;
  /** Sent as `model` with every request, and stored with every vector. */
  model: string;
  /** Sent as `Authorization: Bearer …` when given. The caller resolves it; it is never stored. */
  apiKey?: string;
  /** Where the key came from (e.g. an environment variable's name), for error messages only. */
  apiKeySource?: string;
  /** Expected vector length; checked against the server's first answer. Learned when absent. */
  dimensions?: number;
  /** Characters of a text sent to the server (default 8,000, less when TEI publishes a shorter input limit). */
  maxInputChars?: number;
  /** Inputs per request (default 32); a smaller limit published by the server wins. */
  maxBatchInputs?: number;
  /** Requests in flight at once, over all `embed` calls of one provider (default 4). */
  concurrency?: number;
  /** One request's time limit, the answer's body included (default 60 s); a timeout is retried. */
  requestTimeoutMs?: number;
  /** Tries per request before giving up on 429, 5xx and network errors (default 6). */
  maxAttempts?: number;
  /** Backoff: the n-th retry waits a random time below min(maxDelayMs, baseDelayMs·2ⁿ⁻¹). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest wait a `Retry-After` header can impose (default 60 s). */
  maxRetryAfterMs?: number;
  /** Stops the factory's probe (the provider's `embed` takes its own signal). */
  signal?: AbortSignal;
  /** Injected for tests: the backoff sleep, the jitter source and the clock for HTTP dates. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** The options with every default filled in and every value checked. */
export interface HttpSettings {
  root: string;
  embeddingsUrl: string;
  model: string;
  apiKey: string | null;
  apiKeySource: string | null;
  dimensions: number | null;
  maxInputChars: number | null;
  maxBatchInputs: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

export const httpDefaults = {
  maxInputChars: 8_000,
  maxBatchInputs: 32,
  concurrency: 4,
  requestTimeoutMs: 60_000,
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
} as const;

export function resolveHttpSettings(opts: HttpProviderOptions): HttpSettings {
  const root = serverRoot(opts.url);
  if (!opts.model || opts.model.trim() !== opts.model) {
    throw new ConfigError(`http embedding model name "${opts.model}" must be non-empty, without surrounding spaces`);
  }
  // fetch refuses header values with line breaks or non-Latin-1 characters with an obscure TypeError.
  if (opts.apiKey !== undefined && !/^[\x21-\x7e]+$/.test(opts.apiKey)) {
    const from = opts.apiKeySource ? ` (from ${opts.apiKeySource})` : '';
    throw new ConfigError(`the API key${from} is empty or has spaces, line breaks or non-ASCII characters: check its value`);
  }
  return {
    root,
    embeddingsUrl: `${root}/v1/embeddings`,
    model: opts.model,
    apiKey: opts.apiKey ?? null,
    apiKeySource: opts.apiKeySource ?? null,
    dimensions: opts.dimensions === undefined ? null : positiveInt('dimensions', opts.dimensions),
    maxInputChars: opts.maxInputChars === undefined ? null : positiveInt('maxInputChars', opts.maxInputChars),
    maxBatchInputs: positiveInt('maxBatchInputs', opts.maxBatchInputs ?? httpDefaults.maxBatchInputs),
    concurrency: positiveInt('concurrency', opts.concurrency ?? httpDefaults.concurrency),
    requestTimeoutMs: positiveInt('requestTimeoutMs', opts.requestTimeoutMs ?? httpDefaults.requestTimeoutMs),
    maxAttempts: positiveInt('maxAttempts', opts.maxAttempts ?? httpDefaults.maxAttempts),
    baseDelayMs: nonNegative('baseDelayMs', opts.baseDelayMs ?? httpDefaults.baseDelayMs),
    maxDelayMs: nonNegative('maxDelayMs', opts.maxDelayMs ?? httpDefaults.maxDelayMs),
    maxRetryAfterMs: nonNegative('maxRetryAfterMs', opts.maxRetryAfterMs ?? httpDefaults.maxRetryAfterMs),
    sleep: opts.sleep ?? abortableSleep,
    random: opts.random ?? Math.random,
    now: opts.now ?? Date.now,
  };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`http embedding setting ${name} must be a whole number of at least 1, not ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`http embedding setting ${name} must be a number of at least 0, not ${value}`);
  }
  return value;
}

/** How errors name the server: its root URL and the model asked for (never the key). */
export function describeServer(s: HttpSettings): string {
  return `the embeddings server at ${s.root} (model "${s.model}")`;
}
