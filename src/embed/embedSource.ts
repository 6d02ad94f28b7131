import type { Db, Queryable } from '../db/Db.js';
import { claimQueued, countPending, dequeue, releaseClaims, settleQueue, storeVectors, textsToEmbed } from '../db/embedQueries.js';
import { RunStopped, stopReasonOf, type StopReason } from '../core/abort.js';
import { BatchPacer } from '../core/BatchPacer.js';
import { errorMessage } from '../errors.js';
import type { EmbeddingProvider } from './EmbeddingProvider.js';
import { releaseDeadClaims } from './releaseDeadClaims.js';

/** Most chunks per committed batch. */
const maxBatch = 512;
/** A claim not finished within this time is free for another worker (its holder died). */
export const claimTtlSeconds = 120;

export interface EmbedSourceInput {
  db: Db;
  sourceId: number;
  provider: EmbeddingProvider;
  modelId: number;
  /** Names this process's claims: host, pid, random. */
  worker: string;
  /** Stops starting batches (budget, signals, lost lock). */
  signal: AbortSignal;
  /** What a batch under way runs with: it may finish within the budget's grace. */
  writeSignal: AbortSignal;
  timeLeft: () => number;
  /** Checks the source lock inside each write (sync holds it; `brainsync embed` does not). */
  fence?: (tx: Queryable) => Promise<void>;
  onProgress?: (embedded: number, pending: number) => void;
}

/** What an embed phase did: a plain value, whatever stopped it. */
export interface EmbedOutcome {
  embedded: number;
  pending: number;
  ms: number;
  /** Why it stopped with work left (null: the backlog is empty). */
  stopped: StopReason | null;
  /** The provider or the database failed (the run's sync result stands; the backlog waits). */
  error: string | null;
}

/**
 * Embeds a source's queued chunks in committed batches (DESIGN §5): claim → read texts →
 * embed → store + dequeue. Stops between batches when the budget or a signal says so; each
 * finished batch is kept, and the rest waits for the next run or `brainsync embed`.
 */
export async function embedSource(input: EmbedSourceInput): Promise<EmbedOutcome> {
  const t0 = performance.now();
  const { db, sourceId } = input;
  let embedded = 0;
  let stopped: StopReason | null = null;
  let error: string | null = null;
  const pacer = new BatchPacer(input.timeLeft, { max: maxBatch, guessMsPerItem: 5 });
  try {
    await settleQueue(db, sourceId, input.modelId);
    await releaseDeadClaims(db, sourceId);
    // Progress counts down from one count: a count per batch would be a query per batch for
    // a number only the progress bar needs (other workers may make it drift; it is clamped).
    let left = input.onProgress ? await countPending(db, sourceId) : 0;
    for (;;) {
      if (input.signal.aborted) throw input.signal.reason;
      const size = pacer.nextSize();
      if (size === 0) throw new RunStopped('timeout', 'time budget used up');
      const t = performance.now();
      const batch = await embedBatch(input, size);
      if (batch === null) break;
      embedded += batch.embedded;
      left = Math.max(0, left - batch.dequeued);
      pacer.record(Math.max(batch.dequeued, 1), performance.now() - t);
      input.onProgress?.(embedded, left);
    }
  } catch (err) {
    stopped = err instanceof RunStopped ? err.reason : input.signal.aborted ? stopReasonOf(input.signal) : null;
    if (!stopped) error = errorMessage(err);
  } finally {
    await releaseClaims(db, sourceId, input.worker).catch(() => {});
  }
  const pending = await countPending(db, sourceId).catch(() => -1);
  return { embedded, pending, ms: Math.round(performance.now() - t0), stopped: pending > 0 ? stopped : null, error };
}

/** One batch: chunks embedded and hashes taken off the queue; null when nothing is left to claim. */
async function embedBatch(input: EmbedSourceInput, size: number): Promise<{ embedded: number; dequeued: number } | null> {
  const { db, sourceId, modelId, writeSignal } = input;
  const hashes = await claimQueued(db, sourceId, input.worker, size, claimTtlSeconds, writeSignal);
  if (hashes.length === 0) return null;
  const { texts, done } = await textsToEmbed(db, sourceId, modelId, hashes, writeSignal);
  const todo = hashes.filter((h) => texts.has(h) && !done.has(h));
  const vectors = await input.provider.embed(todo.map((h) => texts.get(h)!), { signal: writeSignal });
  await db.transaction(async (tx) => {
    await input.fence?.(tx);
    await storeVectors(tx, modelId, todo.map((hash, i) => ({ hash, vec: vectors[i] })));
    await dequeue(tx, sourceId, hashes);
  }, { signal: writeSignal });
  return { embedded: todo.length, dequeued: hashes.length };
}
