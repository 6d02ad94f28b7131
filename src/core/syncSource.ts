import { hostname } from 'node:os';
import { maintainWithoutAutovacuum, maintenanceMinBudgetMs } from '../db/maintainWithoutAutovacuum.js';
import { abortsLater, finishStatementMs, withDefaultSignal, withStatementTimeout, type Db, type Queryable } from '../db/Db.js';
import { countPending, recordPending } from '../db/embedQueries.js';
import { countPages, countStoredPaths } from '../db/pagesQueries.js';
import { insertRun } from '../db/runsQueries.js';
import { findSource, setPullBlocked, type SourceRow } from '../db/sourcesQueries.js';
import { setBookmark } from '../db/bookmarkQueries.js';
import { errorMessage } from '../errors.js';
import { BlobReader } from '../git/BlobReader.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { embedPhase } from './embedPhase.js';
import { acquireSourceLock, type LockSettings, type SourceLock } from '../locks/sourceLock.js';
import { budgetController, stopReasonOf } from './abort.js';
import { collect, pullBlockedAfter, pullRefusedMessage, type Collected, type EarlierPull } from './collect.js';
import { checkMassDelete, massDeleteFloor } from './massDelete.js';
import type { Plan } from './plan.js';
import type { SourceResult, Timings } from './result.js';
import { resultOf, unlockedResult, type Stage, type StageRecord } from './runResult.js';

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
  /**
   * Sources this process pulled moments ago under the brain's directory lock (the PGLite no-op
   * check, which then found work), by name: their run syncs the tip that pull pinned, without
   * pulling or reading the branch again, as long as the source still names the same repository
   * and branch.
   */
  pulled?: ReadonlyMap<string, EarlierPull>;
  /**
   * Time the no-op check already spent on a source (its pull, which may have run into the
   * budget), by name: `--timeout` covers the pull, so the run gets what is left of it.
   */
  spentMs?: ReadonlyMap<string, number>;
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

/** One run of one source: lock → pull → pin → plan → apply → bookmark → embed → release → record. */
export async function syncSource(deps: SyncDeps, name: string, opts: SyncOptions): Promise<SourceResult> {
  const started = new Date();
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  if (deps.signal.aborted) {
    return unlockedResult(name, null, elapsed(), 0, { status: 'partial', reason: stopReasonOf(deps.signal) ?? 'signal', message: 'stopped before it started' });
  }
  const source = await findSource(deps.db, name);
  if (!source) return unlockedResult(name, null, elapsed(), 0, { status: 'failed', message: `no source named "${name}" in this brain` });

  deps.onEvent?.({ type: 'phase', source: name, phase: 'lock' });
  const acquired = await acquireSourceLock(deps.db, name, {
    settings: opts.lock,
    command: opts.command,
    warn: (message) => deps.onEvent?.({ type: 'warning', source: name, message }),
  });
  const lockMs = elapsed();
  if (!acquired.ok) return unlockedResult(name, source.bookmarkCommit, elapsed(), lockMs, { status: 'locked', holder: acquired.holder });
  const lock = acquired.lock;
  const spent = opts.spentMs?.get(name) ?? 0;
  const budget = budgetController(opts.timeoutMs === undefined ? undefined : Math.max(1, opts.timeoutMs - spent));
  const run: RunSignals = {
    signal: AbortSignal.any([deps.signal, budget.signal, lock.signal]),
    writeSignal: AbortSignal.any([deps.signal, budget.writeSignal, lock.signal]),
    timeLeft: budget.timeLeft,
  };
  const record: StageRecord = { source, dryRun: opts.dryRun, runId: lock.runId, timings: { lockMs }, bookmarked: false };
  // The hang guard: a statement of the run without a signal of its own (bookkeeping that must
  // run after a stop too) is cancelled, and its connection cut, once the run has been stopped
  // this long. A healthy database answers it in milliseconds; one that stopped answering would
  // otherwise hold the run, its lock and the wave past every budget and signal.
  const guard = abortsLater(run.writeSignal, finishStatementMs);
  try {
    await runStages({ ...deps, db: withDefaultSignal(deps.db, guard.signal) }, lock, run, opts, record);
  } finally {
    guard.dispose();
    budget.dispose();
  }
  await releaseLock(lock, name, deps.onEvent);
  const result = resultOf(record, elapsed());
  await recordRun(deps, source, lock, result, started, opts.dryRun);
  await lockChanged(deps, name, 'released');
  return result;
}

/** A listener's failure is a warning: the run, and the release of its lock, go on. */
async function lockChanged(deps: SyncDeps, name: string, change: 'acquired' | 'released'): Promise<void> {
  try {
    await deps.onLockChange?.(name, change);
  } catch (err) {
    deps.onEvent?.({ type: 'warning', source: name, message: `after the lock was ${change}: ${errorMessage(err)}` });
  }
}

/** The run's stop signals: `signal` stops new work at the deadline; `writeSignal` lets a batch under way commit. */
interface RunSignals {
  signal: AbortSignal;
  writeSignal: AbortSignal;
  timeLeft: () => number;
}

/**
 * The stages under the lock, each returning its outcome into `record`. Never throws: what
 * ended the run early is `record.error`, with the stage it happened in.
 */
async function runStages(deps: SyncDeps, lock: SourceLock, run: RunSignals, opts: SyncOptions, record: StageRecord): Promise<void> {
  const { source } = record;
  const name = source.name;
  let stage: Stage = 'pull';
  const enter = (next: Stage, detail?: string) => {
    stage = next;
    deps.onEvent?.({ type: 'phase', source: name, phase: next, detail });
  };
  /** Runs a stage and records the time it took, also when it throws. */
  const timed = async <T>(key: keyof Timings, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      record.timings[key] = Math.round(performance.now() - t);
    }
  };
  try {
    // A pull this process made moments ago (the no-op check) is not shown a second time.
    const earlier = earlierPull(opts, source);
    if (!earlier) enter('pull');
    const collected = earlier
      ? earlier.collected
      : await timed('pullMs', () => collect(source, { fetch: opts.pull, pull: opts.pull && !opts.dryRun, reposDir: opts.reposDir, signal: run.signal }));
    record.collected = collected;
    warnPullRefused(deps, source, collected);
    if (!opts.dryRun) await notePullBlocked(deps.db, source, collected);
    if (!isUpToDate(source, collected, opts)) {
      await changeStages(deps, lock, run, opts, record, collected, enter, timed);
      if (record.apply?.ended) return;
    }
    if (opts.dryRun) return;
    // Under --no-embed the phase only counts the backlog: not worth a progress line.
    if (opts.embed) enter('embed');
    else stage = 'embed';
    record.embed = await embedPhase({
      db: deps.db, source, lock, models: opts.embed ? deps.models ?? null : null, ...run,
      onProgress: (done, pending) => deps.onEvent?.({ type: 'progress', source: name, done, total: done + pending }),
    });
    await maintain(deps, run);
  } catch (err) {
    record.error = { err, stage, signal: run.signal };
  }
}

/**
 * At the end of a run, with time left: autovacuum's work where there is none (PGLite; see
 * maintainWithoutAutovacuum). Also after a run with nothing to write, so that a first sync
 * stopped before it could do this is caught up by the next run that opens the brain.
 */
async function maintain(deps: SyncDeps, run: RunSignals): Promise<void> {
  if (run.signal.aborted || run.timeLeft() < maintenanceMinBudgetMs) return;
  await maintainWithoutAutovacuum(deps.db);
}

/** Plan → apply → bookmark, for a run that has something to do. */
async function changeStages(
  deps: SyncDeps, lock: SourceLock, run: RunSignals, opts: SyncOptions, record: StageRecord, collected: Collected,
  enter: (stage: Stage, detail?: string) => void,
  timed: <T>(key: keyof Timings, fn: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const { source } = record;
  await lockChanged(deps, source.name, 'acquired');
  // Loaded only when there is work: a no-op run (most cron runs) skips the parser, YAML and
  // ignore libraries entirely, which is a good part of its start-up time.
  const [{ buildPlan }, { applyRun }] = await Promise.all([import('./buildPlan.js'), import('./applyRun.js')]);
  // One `git cat-file --batch` serves the plan's lookups and every blob the import reads.
  const reader = await BlobReader.open(collected.repoDir, { signal: run.writeSignal });
  try {
    enter('plan');
    const plan = await timed('planMs', () =>
      buildPlan(deps.db, source, collected, reader, { full: opts.full, retryFailed: opts.retryFailed, signal: run.signal }));
    record.plan = plan;
    if (opts.dryRun) return;
    if (!opts.allowMassDelete && plan.deletes.length > massDeleteFloor) {
      const deleting = await countStoredPaths(deps.db, source.id, plan.deletes);
      if (deleting > massDeleteFloor) checkMassDelete(source.name, deleting, await countPages(deps.db, source.id));
    }
    enter('apply', planSummary(plan));
    const apply = await timed('applyMs', () => applyRun({
      db: deps.db, source, lock, ...run, reader, maxFileBytes: opts.maxFileBytes, workers: opts.workers,
      plan, target: collected.target,
      onProgress: (done, total) => deps.onEvent?.({ type: 'progress', source: source.name, done, total }),
    }));
    record.apply = apply;
    if (apply.ended) {
      record.error = { err: apply.ended, stage: 'apply', signal: run.signal };
      return;
    }
    enter('bookmark');
    // Everything was applied: a budget that ran out during the last batch must not cost the
    // bookmark (the next run would redo the whole check), so this write runs with the grace too.
    run.writeSignal.throwIfAborted();
    await deps.db.transaction(async (tx) => {
      await lock.fence(tx);
      await setBookmark(tx, source.id, collected.target);
      // What the import queued, counted now: a run killed in its embed phase leaves `status`
      // this backlog (an over-count until the phase settles it), not the one before the run.
      await recordPending(tx, source.id, await countPending(tx, source.id));
    }, { signal: run.writeSignal });
    record.bookmarked = true;
  } finally {
    await reader.close();
  }
}

/** The pull this process just made of the source, if it was of the same repository and branch. */
function earlierPull(opts: SyncOptions, source: SourceRow): EarlierPull | null {
  const e = opts.pulled?.get(source.name);
  return e && e.repo === source.repo && e.repoKind === source.repoKind && e.branch === source.branch ? e : null;
}

function warnPullRefused(deps: SyncDeps, source: SourceRow, collected: Collected): void {
  const message = pullRefusedMessage(source.branch, collected);
  if (message) deps.onEvent?.({ type: 'warning', source: source.name, message });
}

/** A change in whether (and why) the branch cannot be pulled, for status's staleness (one write, only when it changes). */
async function notePullBlocked(db: Db, source: SourceRow, collected: Collected): Promise<void> {
  const after = pullBlockedAfter(collected.pull, source.pullBlockedBy);
  if (after !== source.pullBlockedBy) await setPullBlocked(db, source.id, after);
}

function isUpToDate(source: SourceRow, c: Collected, opts: SyncOptions): boolean {
  return source.bookmarkCommit === c.target && source.pendingTargets.length === 0 && !opts.full && !opts.retryFailed;
}

async function releaseLock(lock: SourceLock, name: string, onEvent: SyncDeps['onEvent']): Promise<void> {
  try {
    await lock.release();
  } catch (err) {
    onEvent?.({ type: 'warning', source: name, message: `could not release the lock (${errorMessage(err)}); it expires by itself` });
  }
}

async function recordRun(
  deps: SyncDeps, source: SourceRow, lock: SourceLock, result: SourceResult, started: Date, dryRun: boolean,
): Promise<void> {
  // Bounded: a database that stopped answering must not keep the run from reporting.
  const db = withStatementTimeout(deps.db, finishStatementMs);
  try {
    await insertRun(db, {
      runId: lock.runId, sourceId: source.id, sourceName: source.name, status: result.status,
      reason: result.reason ?? null, error: result.status === 'failed' ? result.message ?? null : null,
      bookmarkFrom: result.bookmarkFrom, targetCommit: result.target,
      counts: { ...result.counts }, timings: { ...result.timings },
      host: hostname(), pid: process.pid, startedAt: started,
    });
    if (!dryRun) await recordBacklog(db, source, result);
  } catch (err) {
    deps.onEvent?.({ type: 'warning', source: source.name, message: `could not record the run (${errorMessage(err)})` });
  }
  deps.onEvent?.({ type: 'phase', source: source.name, phase: 'done' });
}

/**
 * The backlog the status manifest shows: the embed phase counted it (synced, up_to_date); a
 * run stopped or failed after the lock may have queued chunks, so it is counted here. Not
 * after a dry run, which changed nothing and ran no embed phase, also when it found the
 * source up to date (its result then says `up_to_date` with nothing counted).
 */
async function recordBacklog(db: Queryable, source: SourceRow, result: SourceResult): Promise<void> {
  const embedded = result.status === 'synced' || result.status === 'up_to_date';
  await recordPending(db, source.id, embedded ? result.counts.pending : await countPending(db, source.id));
}

function planSummary(plan: Plan): string {
  const parts = [`${plan.imports.length} to import`, `${plan.deletes.length} to delete`, `${plan.renames.length} renamed`];
  return `${plan.mode === 'full' ? `full compare (${plan.why})` : 'incremental'}: ${parts.join(', ')}`;
}
