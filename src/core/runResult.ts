import { ConnectionLostError, isConnectionError } from '../db/connectionErrors.js';
import type { LockHolder } from '../db/locksQueries.js';
import type { SourceRow } from '../db/sourcesQueries.js';
import type { EmbedOutcome } from '../embed/embedSource.js';
import { errorMessage } from '../errors.js';
import { RunStopped, stopReasonOf } from './abort.js';
import type { ApplyOutcome } from './applyOutcome.js';
import type { Collected } from './collect.js';
import { embedMessage } from './embedPhase.js';
import { plannedCount, type Plan } from './plan.js';
import { zeroCounts, zeroTimings, type SourceResult, type Timings } from './result.js';

export type Stage = 'lock' | 'pull' | 'plan' | 'apply' | 'bookmark' | 'embed';

/**
 * What the stages of one locked run returned, as plain values: "bookmark advanced, embed
 * stopped" is `{ bookmarked: true, embed: { stopped: 'timeout', ... } }`. The run's result
 * is derived from it by `resultOf`, in one place.
 */
export interface StageRecord {
  source: SourceRow;
  dryRun: boolean;
  runId: string;
  timings: Partial<Timings>;
  collected?: Collected;
  plan?: Plan;
  apply?: ApplyOutcome;
  bookmarked: boolean;
  embed?: EmbedOutcome;
  /** What ended the run early, and the stage it was in. */
  error?: { err: unknown; stage: Stage; signal: AbortSignal };
}

export function resultOf(r: StageRecord, totalMs: number): SourceResult {
  const { plan, apply, embed, collected } = r;
  const result: SourceResult = {
    source: r.source.name,
    status: 'up_to_date',
    runId: r.runId,
    bookmarkFrom: r.source.bookmarkCommit,
    target: collected?.target ?? null,
    counts: {
      ...zeroCounts(),
      ...apply?.counts,
      planned: plan ? plannedCount(plan) : 0,
      skipped: (plan?.unchanged ?? 0) + (apply?.counts.skipped ?? 0),
      embedded: embed?.embedded ?? 0,
      pending: Math.max(0, embed?.pending ?? 0),
    },
    timings: { ...zeroTimings(), ...r.timings, embedMs: embed?.ms ?? 0, rolledBackMs: apply?.rolledBackMs ?? 0, totalMs },
    failures: apply?.failures ?? [],
  };
  if (collected) result.pull = collected.pull;
  if (plan) result.mode = plan.mode;
  if (apply) result.changes = apply.changes;
  if (r.error) return settleError(result, r.error);
  if (r.dryRun && plan) return { ...result, status: 'dry_run', plan: describePlan(plan) };
  if (r.bookmarked && plan && (plannedCount(plan) + plan.clearFailures.length > 0 || r.source.bookmarkCommit !== collected?.target)) {
    result.status = 'synced';
  }
  const said = embed ? embedMessage(embed) : null;
  if (said) result.message = said;
  return result;
}

function settleError(result: SourceResult, e: NonNullable<StageRecord['error']>): SourceResult {
  const { err, signal } = e;
  const reason = err instanceof RunStopped ? err.reason : signal.aborted ? stopReasonOf(signal) : null;
  if (!reason) {
    result.status = 'failed';
    result.message = isConnectionError(err) ? connectionLostMessage(err, e.stage) : errorMessage(err);
    return result;
  }
  result.status = 'partial';
  result.reason = reason;
  const message = err instanceof RunStopped ? err.message : errorMessage(signal.reason);
  result.message = message.includes('stopped during') ? message : `${message}; stopped during ${e.stage}`;
  return result;
}

/** The run's words for where the connection was lost (applyRun names the import's progress itself). */
const stageWords: Record<Stage, string> = {
  lock: 'locking', pull: 'the pull', plan: 'planning', apply: 'the import', bookmark: 'the bookmark write', embed: 'embedding',
};

function connectionLostMessage(err: unknown, stage: Stage): string {
  return err instanceof ConnectionLostError ? err.message : new ConnectionLostError(stageWords[stage], err).message;
}

function describePlan(plan: Plan): SourceResult['plan'] {
  return {
    deletes: plan.deletes,
    renames: plan.renames.map(({ from, to }) => ({ from, to })),
    imports: plan.imports.map((op) => op.path),
    failures: plan.failures.map(({ path, code, message }) => ({ path, code, message })),
  };
}

/** A run that ended before it held its lock: stopped, refused, or locked by another. */
export function unlockedResult(
  name: string, bookmarkFrom: string | null, totalMs: number, lockMs: number,
  end: { status: 'partial'; reason: SourceResult['reason']; message: string } | { status: 'failed'; message: string } | { status: 'locked'; holder: LockHolder | null },
): SourceResult {
  const result: SourceResult = {
    source: name, status: end.status, bookmarkFrom, target: null,
    counts: zeroCounts(), timings: { ...zeroTimings(), lockMs, totalMs }, failures: [],
  };
  if (end.status === 'partial') return { ...result, reason: end.reason, message: end.message };
  if (end.status === 'failed') return { ...result, message: end.message };
  const { holder } = end;
  if (!holder) return { ...result, message: 'locked by another run' };
  return {
    ...result,
    holder: {
      host: holder.host, pid: holder.pid, since: holder.acquiredAt.toISOString(),
      heartbeatAgeSeconds: Math.round(holder.heartbeatAgeSeconds),
    },
    message: `locked by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt.toISOString()}`,
  };
}
