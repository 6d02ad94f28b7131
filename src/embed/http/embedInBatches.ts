import { TooLargeFailure } from './checkStatus.js';
import { EmbedServerError } from './EmbedServerError.js';

/** How big one request may be. `maxInputs` shrinks when the server proves it smaller (413). */
export interface BatchLimits {
  maxInputs: number;
  /** Approximate tokens per request (see approxTokens); null when the server publishes none. */
  maxTokens: number | null;
}

export type PostBatch = (inputs: string[], signal: AbortSignal) => Promise<Float32Array[]>;

/**
 * Tokens are estimated, not counted: brainsync has no tokenizer for a remote model. About
 * four characters per token is typical of English with BERT-style and BPE vocabularies
 * (other scripts use more tokens per character); the two are the special tokens a model adds.
 * A misjudged request is caught by the server's 413 and split.
 */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4) + 2;
}

/** Cuts from the end of a text the server refused on its own as too large, each time. */
const shortenFactor = 0.75;
/** 0.75⁸ ≈ 10%: a text still refused at a tenth of its length is not a length problem. */
const maxShortenings = 8;

/**
 * Embeds `inputs` in requests that respect `limits`, with `concurrency` workers taking the
 * next request's inputs from a shared cursor (so a limit learned by one applies to the next
 * request of all). Results land at their inputs' positions, so order holds whatever order
 * requests finish in. A 413 halves the request; a single input refused is shortened. The
 * first error stops the other workers, and only then is it thrown, so nothing is left in flight;
 * an aborting signal rejects with its own reason.
 */
export async function embedInBatches(
  inputs: readonly string[],
  post: PostBatch,
  limits: BatchLimits,
  concurrency: number,
  server: string,
  signals: ReadonlyArray<AbortSignal | undefined>,
): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(inputs.length);
  // One signal for the workers: any caller's signal, or the first failure. Linked by hand
  // and unlinked at the end, so a long-lived run signal keeps no reference to this call.
  const stop = new AbortController();
  const unlink = signals.filter((s) => s !== undefined).map((s) => {
    const onAbort = () => stop.abort(s.reason);
    if (s.aborted) onAbort();
    s.addEventListener('abort', onAbort, { once: true });
    return () => s.removeEventListener('abort', onAbort);
  });
  let next = 0;
  const worker = async () => {
    for (let start = next; start < inputs.length; start = next) {
      next = batchEnd(inputs, start, limits);
      const batch = inputs.slice(start, next);
      const { vectors } = await postSplitting(batch, post, limits, server, stop.signal);
      for (let i = 0; i < vectors.length; i++) out[start + i] = vectors[i];
    }
  };
  try {
    const workers = Array.from({ length: Math.min(concurrency, inputs.length) }, () =>
      worker().catch((err: unknown) => {
        stop.abort(err);
        throw err;
      }),
    );
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // The first reason to stop (a caller's signal, or the first failure), not a sibling's echo of it.
    if (failed) throw stop.signal.aborted ? stop.signal.reason : failed.reason;
    return out;
  } finally {
    for (const fn of unlink) fn();
  }
}

/** Where the request that starts at `start` ends: at most maxInputs, and maxTokens unless one input alone is over it. */
function batchEnd(inputs: readonly string[], start: number, limits: BatchLimits): number {
  let end = start;
  let tokens = 0;
  while (end < inputs.length && end - start < limits.maxInputs) {
    const t = approxTokens(inputs[end]);
    if (end > start && limits.maxTokens !== null && tokens + t > limits.maxTokens) break;
    tokens += t;
    end++;
  }
  return end;
}

/** `split` tells the caller that a 413 happened somewhere inside this request. */
async function postSplitting(
  inputs: string[],
  post: PostBatch,
  limits: BatchLimits,
  server: string,
  signal: AbortSignal,
): Promise<{ vectors: Float32Array[]; split: boolean }> {
  try {
    return { vectors: await post(inputs, signal), split: false };
  } catch (err) {
    if (!(err instanceof TooLargeFailure)) throw err;
    if (inputs.length === 1) return { vectors: [await postShortened(inputs[0], post, server, err, signal)], split: true };
    const mid = Math.ceil(inputs.length / 2);
    const a = await postSplitting(inputs.slice(0, mid), post, limits, server, signal);
    const b = await postSplitting(inputs.slice(mid), post, limits, server, signal);
    // Both halves went through whole, so the request's size was the problem, not one long
    // input: later requests start at the size that worked.
    if (!a.split && !b.split) limits.maxInputs = Math.min(limits.maxInputs, mid);
    return { vectors: [...a.vectors, ...b.vectors], split: true };
  }
}

/**
 * One input the server refuses as too large: a text over its token limit (TEI without
 * --auto-truncate). Its end is cut until it passes. Nothing is remembered, so a text's
 * vector depends only on the text and the server, never on what was embedded before.
 */
async function postShortened(
  text: string,
  post: PostBatch,
  server: string,
  first: TooLargeFailure,
  signal: AbortSignal,
): Promise<Float32Array> {
  let cut = text;
  let last = first;
  for (let i = 0; i < maxShortenings && cut.length > 1; i++) {
    cut = cutText(cut, Math.floor(cut.length * shortenFactor));
    try {
      return (await post([cut], signal))[0];
    } catch (err) {
      if (!(err instanceof TooLargeFailure)) throw err;
      last = err;
    }
  }
  throw new EmbedServerError(
    `${server} refused one input as too large even cut to ${cut.length} of its ${text.length} characters ` +
      `(it ${last.message}). Raise the server's input limit or let it truncate (text-embeddings-inference: ` +
      "--auto-truncate), or lower the source's maxInputChars.",
    { status: 413 },
  );
}

/** The first `n` UTF-16 units of `text`, one fewer if the cut would split a surrogate pair. */
export function cutText(text: string, n: number): string {
  if (text.length <= n) return text;
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}
