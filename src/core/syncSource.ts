import { hostname } from 'node:os';
import { ConnectionLostError, isConnectionError } from '../db/connectionErrors.js';
import type { Db } from '../db/Db.js';
import { countPending, recordPending } from '../db/embedQueries.js';
import { countPages } from '../db/pagesQueries.js';
import type { LockHolder } from '../db/locksQueries.js';
import { insertRun } from '../db/runsQueries.js';
import { findSource, type SourceRow } from '../db/sourcesQueries.js';
import { setBookmark } from '../db/bookmarkQueries.js';
import { errorMessage } from '../errors.js';
import { BlobReader } from '../git/BlobReader.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { applyEmbedOutcome, embedPhase } from './embedPhase.js';
import { acquireSourceLock, type LockSettings, type SourceLock } from '../locks/sourceLock.js';
import { RunStopped, budgetController, stopReasonOf } from './abort.js';
import { collect, type Collected } from './collect.js';
import { checkMassDelete, massDeleteFloor } from './massDelete.js';
import { plannedCount, type Plan } from './plan.js';
import { zeroCounts, zeroTimings, type SourceResult } from './result.js';

export interface SyncOptions {
  dryRun: boolean;
  full: boolean;
  pull: boolean;
  retryFailed: boolean;
  allowMassDelete: boolean;
  /** Import workers for this source (forced to 1 when the brain has one connection). */
  workers: number;
  /** Time budget of this source's run; undefined = none. */
  timeoutMs?: number;
  maxFileBytes: number;
  lock: LockSettings;
  reposDir: string;
  /** Shown in the lock row. */
  command: string;
  /** Run the embed phase after the bookmark (`--no-embed` turns it off). */
  embed: boolean;
}

export type SyncEvent =
  | { type: 'phase'; source: string; phase: 'lock' | 'pull' | 'plan' | 'apply' | 'bookmark' | 'embed' | 'done'; detail?: string }
  | { type: 'progress'; source: string; done: number; total: number }
  | { type: 'warning'; source: string; message: string };

export interface SyncDeps {
  db: Db;
  /** Process-level stop (SIGTERM, SIGINT, SIGHUP). */
  signal: AbortSignal;
  /** Models for the embed phase, loaded once per process; absent: the phase only counts the backlog. */
  models?: ProviderPool;
  onEvent?: (e: SyncEvent) => void;
  /**
   * 'acquired': the run holds its source's lock and has work (awaited before it plans or writes
   * anything; a run that finds its source up to date holds the lock for milliseconds, changes
   * no page and is not reported). 'released': after it gave the lock back. The status manifest
   * is rewritten here, so that it never calls a source idle while a run changes its pages.
   */
  onLockChange?: (source: string, change: 'acquired' | 'released') => void | Promise<void>;
}

/** One run of one source: lock → pull → pin → plan → apply → bookmark → release → record. */
export async function syncSource(deps: SyncDeps, name: string, opts: SyncOptions): Promise<SourceResult> {
  const started = new Date();
  const t0 = performance.now();
  const result: SourceResult = {
    source: name, status: 'failed', bookmarkFrom: null, target: null,
    counts: zeroCounts(), timings: zeroTimings(), failures: [],
  };
  let phase = 'lock';
  const emit = (e: SyncEvent) => {
    if (e.type === 'phase') phase = e.phase;
    deps.onEvent?.(e);
  };
  if (deps.signal.aborted) return stopped(result, deps.signal, 'before it started', t0);
  const source = await findSource(deps.db, name);
  if (!source) return fail(result, `no source named "${name}" in this brain`, t0);
  result.bookmarkFrom = source.bookmarkCommit;

  emit({ type: 'phase', source: name, phase: 'lock' });
  const acquired = await acquireSourceLock(deps.db, name, {
    settings: opts.lock,
    command: opts.command,
    warn: (message) => emit({ type: 'warning', source: name, message }),
  });
  result.timings.lockMs = Math.round(performance.now() - t0);
  if (!acquired.ok) return locked(result, acquired.holder, t0);
  const lock = acquired.lock;
  result.runId = lock.runId;
  const budget = budgetController(opts.timeoutMs);
  const signal = AbortSignal.any([deps.signal, budget.signal, lock.signal]);
  const run: RunSignals = { signal, writeSignal: AbortSignal.any([deps.signal, budget.writeSignal, lock.signal]), timeLeft: budget.timeLeft };
  try {
    await runLocked(deps, source, lock, run, opts, result, emit);
    if ((result.status === 'synced' || result.status === 'up_to_date') && !opts.dryRun) {
      emit({ type: 'phase', source: name, phase: 'embed' });
      const outcome = await embedPhase({
        db: deps.db, source, lock, models: opts.embed ? deps.models ?? null : null, ...run,
        onProgress: (done, pending) => emit({ type: 'progress', source: name, done, total: done + pending }),
      });
      // The sync stands whatever happened here; what stopped the embedding is the run's message.
      result.message = applyEmbedOutcome(result, outcome) ?? result.message;
    }
  } catch (err) {
    settleError(result, err, signal, phase);
  } finally {
    budget.dispose();
    await finish(deps.db, source, lock, result, started, t0, emit);
    await lockChanged(deps, name, 'released', emit);
  }
  return result;
}

/** A listener's failure is a warning: the run, and the release of its lock, go on. */
async function lockChanged(deps: SyncDeps, name: string, change: 'acquired' | 'released', emit: (e: SyncEvent) => void): Promise<void> {
  try {
    await deps.onLockChange?.(name, change);
  } catch (err) {
    emit({ type: 'warning', source: name, message: `after the lock was ${change}: ${errorMessage(err)}` });
  }
}

/** The run's stop signals: `signal` stops new work at the deadline; `writeSignal` lets a batch under way commit. */
interface RunSignals {
  signal: AbortSignal;
  writeSignal: AbortSignal;
  timeLeft: () => number;
}

async function runLocked(
  deps: SyncDeps, source: SourceRow, lock: SourceLock, run: RunSignals,
  opts: SyncOptions, result: SourceResult, emit: (e: SyncEvent) => void,
): Promise<void> {
  const { signal, writeSignal } = run;
  const name = source.name;
  let t = performance.now();
  emit({ type: 'phase', source: name, phase: 'pull' });
  let collected: Collected;
  try {
    collected = await collect(source, { fetch: opts.pull, pull: opts.pull && !opts.dryRun, reposDir: opts.reposDir, signal });
  } finally {
    // Also when the pull is stopped or fails: the time it took is what the report must show.
    result.timings.pullMs = Math.round(performance.now() - t);
  }
  result.target = collected.target;
  result.pull = collected.pull;
  if (collected.pull === 'not_fast_forward') {
    emit({
      type: 'warning',
      source: name,
      message: `branch "${source.branch}" has diverged from its upstream, so it was not pulled (never forced); ` +
        'syncing the local branch as it is. Reconcile it with git to get the upstream changes.',
    });
  }
  if (isUpToDate(source, collected, opts)) {
    result.status = 'up_to_date';
    return;
  }
  await lockChanged(deps, name, 'acquired', emit);
  // Loaded only when there is work: a no-op run (most cron runs) skips the parser, YAML and
  // ignore libraries entirely, which is a good part of its start-up time.
  const [{ buildPlan }, { applyRun }] = await Promise.all([import('./buildPlan.js'), import('./applyRun.js')]);
  // One `git cat-file --batch` serves the plan's lookups and every blob the import reads.
  const reader = await BlobReader.open(collected.repoDir, { signal: writeSignal });
  try {
    t = performance.now();
    emit({ type: 'phase', source: name, phase: 'plan' });
    const plan = await buildPlan(deps.db, source, collected, reader, { full: opts.full, retryFailed: opts.retryFailed, signal });
    result.mode = plan.mode;
    result.counts.planned = plannedCount(plan);
    result.counts.skipped = plan.unchanged;
    result.timings.planMs = Math.round(performance.now() - t);
    if (opts.dryRun) return describeDryRun(result, plan);
    if (!opts.allowMassDelete && plan.deletes.length > massDeleteFloor) {
      checkMassDelete(name, plan, await countPages(deps.db, source.id));
    }

    t = performance.now();
    emit({ type: 'phase', source: name, phase: 'apply', detail: planSummary(plan) });
    try {
      await applyRun({ db: deps.db, source, lock, ...run, reader, opts, result, plan, target: collected.target, emit });
    } finally {
      result.timings.applyMs = Math.round(performance.now() - t);
    }
    emit({ type: 'phase', source: name, phase: 'bookmark' });
    // Everything was applied: a budget that ran out during the last batch must not cost the
    // bookmark (the next run would redo the whole check), so this write runs with the grace too.
    writeSignal.throwIfAborted();
    await deps.db.transaction(async (tx) => {
      await lock.fence(tx);
      await setBookmark(tx, source.id, collected.target);
    }, { signal: writeSignal });
    const changed = plannedCount(plan) + plan.clearFailures.length > 0 || source.bookmarkCommit !== collected.target;
    result.status = changed ? 'synced' : 'up_to_date';
  } finally {
    await reader.close();
  }
}

function isUpToDate(source: SourceRow, c: Collected, opts: SyncOptions): boolean {
  return source.bookmarkCommit === c.target && source.pendingTargets.length === 0 && !opts.full && !opts.retryFailed;
}

function settleError(result: SourceResult, err: unknown, signal: AbortSignal, phase: string): void {
  const reason = err instanceof RunStopped ? err.reason : signal.aborted ? stopReasonOf(signal) : null;
  if (!reason) {
    result.status = 'failed';
    result.message = isConnectionError(err) ? connectionLostMessage(err, phase) : errorMessage(err);
    return;
  }
  result.status = 'partial';
  result.reason = reason;
  const message = err instanceof RunStopped ? err.message : errorMessage(signal.reason);
  result.message = message.includes('stopped during') ? message : `${message}; stopped during ${phase}`;
}

/** The run's words for where the connection was lost (applyRun names the import's progress itself). */
const phaseWords: Record<string, string> = {
  lock: 'locking', pull: 'the pull', plan: 'planning', apply: 'the import', bookmark: 'the bookmark write',
};

function connectionLostMessage(err: unknown, phase: string): string {
  return err instanceof ConnectionLostError ? err.message : new ConnectionLostError(phaseWords[phase] ?? phase, err).message;
}

async function finish(
  db: Db, source: SourceRow, lock: SourceLock, result: SourceResult, started: Date, t0: number,
  emit: (e: SyncEvent) => void,
): Promise<void> {
  try {
    await lock.release();
  } catch (err) {
    emit({ type: 'warning', source: source.name, message: `could not release the lock (${errorMessage(err)}); it expires by itself` });
  }
  result.timings.totalMs = Math.round(performance.now() - t0);
  try {
    await insertRun(db, {
      runId: lock.runId, sourceId: source.id, sourceName: source.name, status: result.status,
      reason: result.reason ?? null, error: result.status === 'failed' ? result.message ?? null : null,
      bookmarkFrom: result.bookmarkFrom, targetCommit: result.target,
      counts: { ...result.counts }, timings: { ...result.timings },
      host: hostname(), pid: process.pid, startedAt: started,
    });
    await recordBacklog(db, source, result);
  } catch (err) {
    emit({ type: 'warning', source: source.name, message: `could not record the run (${errorMessage(err)})` });
  }
  emit({ type: 'phase', source: source.name, phase: 'done' });
}

/**
 * The backlog the status manifest shows: the embed phase counted it (synced, up_to_date); a
 * run stopped or failed after the lock may have queued chunks, so it is counted here; a dry
 * run changed nothing.
 */
async function recordBacklog(db: Db, source: SourceRow, result: SourceResult): Promise<void> {
  if (result.status === 'dry_run') return;
  const embedded = result.status === 'synced' || result.status === 'up_to_date';
  await recordPending(db, source.id, embedded ? result.counts.pending : await countPending(db, source.id));
}

function describeDryRun(result: SourceResult, plan: Plan): void {
  result.status = 'dry_run';
  result.plan = {
    deletes: plan.deletes,
    renames: plan.renames.map(({ from, to }) => ({ from, to })),
    imports: plan.imports.map((op) => op.path),
    failures: plan.failures.map(({ path, code, message }) => ({ path, code, message })),
  };
}

function planSummary(plan: Plan): string {
  const parts = [`${plan.imports.length} to import`, `${plan.deletes.length} to delete`, `${plan.renames.length} renamed`];
  return `${plan.mode === 'full' ? `full compare (${plan.why})` : 'incremental'}: ${parts.join(', ')}`;
}

function stopped(result: SourceResult, signal: AbortSignal, where: string, t0: number): SourceResult {
  result.status = 'partial';
  result.reason = stopReasonOf(signal) ?? 'signal';
  result.message = `stopped ${where}`;
  result.timings.totalMs = Math.round(performance.now() - t0);
  return result;
}

function fail(result: SourceResult, message: string, t0: number): SourceResult {
  result.status = 'failed';
  result.message = message;
  result.timings.totalMs = Math.round(performance.now() - t0);
  return result;
}

function locked(result: SourceResult, holder: LockHolder | null, t0: number): SourceResult {
  result.status = 'locked';
  result.timings.totalMs = Math.round(performance.now() - t0);
  if (holder) {
    result.holder = {
      host: holder.host, pid: holder.pid, since: holder.acquiredAt.toISOString(),
      heartbeatAgeSeconds: Math.round(holder.heartbeatAgeSeconds),
    };
    result.message = `locked by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt.toISOString()}`;
  } else {
    result.message = 'locked by another run';
  }
  return result;
}
