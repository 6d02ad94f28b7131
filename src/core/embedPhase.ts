import type { Db } from '../db/Db.js';
import { countPending, hasPending } from '../db/embedQueries.js';
import { embedSettingsOf, type SourceRow } from '../db/sourcesQueries.js';
import type { EmbedOutcome } from '../embed/embedSource.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { workerName } from '../embed/releaseDeadClaims.js';
import { errorMessage } from '../errors.js';
import type { SourceLock } from '../locks/sourceLock.js';
import { stopReasonOf } from './abort.js';

export interface EmbedPhaseInput {
  db: Db;
  source: SourceRow;
  lock: SourceLock;
  /** Null: embedding is off for this run (`--no-embed`); the backlog is only counted. */
  models: ProviderPool | null;
  signal: AbortSignal;
  writeSignal: AbortSignal;
  timeLeft: () => number;
  onProgress?: (embedded: number, pending: number) => void;
}

const nothing: EmbedOutcome = { embedded: 0, pending: 0, ms: 0, stopped: null, error: null };

/**
 * DESIGN §2 step 7: after the bookmark, inside the run's budget and signal. Never throws:
 * whatever happens here, the sync before it stands. A source with nothing queued returns
 * after one cheap query, without loading a model (what keeps a no-op sync fast).
 */
export async function embedPhase(input: EmbedPhaseInput): Promise<EmbedOutcome> {
  const t0 = performance.now();
  const { db, source } = input;
  try {
    if (!(await hasPending(db, source.id))) return nothing;
    if (!input.models || input.signal.aborted) return { ...nothing, pending: await countPending(db, source.id) };
    const model = await input.models.get(db, embedSettingsOf(source), input.signal);
    const { embedSource } = await import('../embed/embedSource.js');
    return await embedSource({
      db, sourceId: source.id, provider: model.provider, modelId: model.modelId,
      worker: workerName(input.lock.runId),
      signal: input.signal, writeSignal: input.writeSignal, timeLeft: input.timeLeft,
      fence: (tx) => input.lock.fence(tx), onProgress: input.onProgress,
    });
  } catch (err) {
    const pending = await countPending(db, source.id).catch(() => -1);
    const ms = Math.round(performance.now() - t0);
    // The run's budget or a signal ended the model's loading: stopped with work left, not a failure.
    if (input.signal.aborted) return { ...nothing, pending, ms, stopped: stopReasonOf(input.signal) };
    return { ...nothing, pending, ms, error: errorMessage(err) };
  }
}

/** What a run says about its embed phase, if anything: the run stays `synced`/`up_to_date` whatever stopped it. */
export function embedMessage(o: EmbedOutcome): string | null {
  if (o.error) {
    return `embedding stopped: ${o.error} (${o.pending} chunk${o.pending === 1 ? ' waits' : 's wait'}; the sync itself is complete)`;
  }
  if (o.stopped && o.pending > 0) {
    return `embedding stopped (${o.stopped}) with ${o.pending} chunk${o.pending === 1 ? '' : 's'} left; the next run or \`brainsync embed\` continues`;
  }
  return null;
}
