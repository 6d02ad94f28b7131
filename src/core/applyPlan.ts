import { isConnectionError } from '../db/connectionErrors.js';
import type { Queryable } from '../db/Db.js';
import { isDataError } from '../db/dataErrors.js';
import { clearFailures, recordFailures } from '../db/failuresQueries.js';
import { deletePages, renamePages, storedBlobOids } from '../db/pagesQueries.js';
import { addPendingTarget } from '../db/bookmarkQueries.js';
import { slugFromPath } from '../markdown/slugFromPath.js';
import { RunStopped } from './abort.js';
import { noteFailed } from './applyOutcome.js';
import { BatchPacer } from './BatchPacer.js';
import { importBatch } from './importBatch.js';
import { plannedCount, type ImportOp, type Plan, type RenameOp } from './plan.js';
import type { RunContext } from './runContext.js';

/** Most pages per import transaction: small enough to commit within a few seconds, big enough to amortise round-trips. */
export const importBatchSize = 100;
/** Most paths per delete / rename statement. */
const pathBatchSize = 500;

/**
 * Applies a plan: deletes, renames, known failures, then imports through a worker pool.
 * Every write is a short fenced transaction. Batches are sized from the measured write rate
 * so that each commits well inside the time left, and no batch starts once the budget is
 * (nearly) used up: a stopped run keeps everything written so far and wastes little.
 */
export async function applyPlan(ctx: RunContext, plan: Plan, target: string): Promise<void> {
  if (plannedCount(plan) + plan.clearFailures.length === 0) return;
  await fenced(ctx, (tx) => addPendingTarget(tx, ctx.source.id, target));
  const pathPacer = new BatchPacer(ctx.timeLeft, { max: pathBatchSize, guessMsPerItem: 2, progressFloor: 10 });
  await paced(ctx, plan.deletes, pathPacer, 1, async (paths) => {
    let worked = 0;
    await fenced(ctx, async (tx) => {
      const deleted = await deletePages(tx, ctx.source.id, paths);
      const cleared = await clearFailures(tx, ctx.source.id, paths);
      return () => {
        worked = deleted.length + cleared;
        noteDeleted(ctx, deleted);
      };
    });
    ctx.progress(paths.length);
    return worked;
  });
  await paced(ctx, plan.renames, pathPacer, 1, (renames) => applyRenames(ctx, renames));
  if (plan.failures.length > 0 || plan.clearFailures.length > 0) {
    const failures = plan.failures.map(({ path, oid, code, message }) => ({ path, blobOid: oid, code, message }));
    await fenced(ctx, async (tx) => {
      await recordFailures(tx, ctx.source.id, failures);
      await clearFailures(tx, ctx.source.id, plan.clearFailures);
    });
    noteFailed(ctx.out, failures);
    ctx.progress(failures.length);
  }
  const imports = await importsToDo(ctx, plan.imports);
  const importPacer = new BatchPacer(ctx.timeLeft, { max: importBatchSize, guessMsPerItem: 10, min: 10, progressFloor: 10 });
  await paced(ctx, imports, importPacer, ctx.workers, (ops) => importBatch(ctx, ops));
}

/**
 * Drops the imports whose page is already stored at the planned blob (an earlier run that
 * stopped before its bookmark wrote them): one lookup for the whole plan, under the run's
 * lock, so that no other writer changes these pages before the run ends. A resumed run then
 * spends its batches, and its budget, only on pages still to write; checked batch by batch,
 * a tight budget went on lookups of pages already written, ten at a time.
 */
async function importsToDo(ctx: RunContext, ops: ImportOp[]): Promise<ImportOp[]> {
  if (ops.length === 0) return ops;
  const stored = await storedBlobOids(ctx.db, ctx.source.id, ops.map((op) => op.path), ctx.writeSignal);
  if (stored.size === 0) return ops;
  const todo = ops.filter((op) => stored.get(op.path) !== op.oid);
  const skipped = ops.length - todo.length;
  ctx.out.counts.skipped += skipped;
  ctx.progress(skipped);
  return todo;
}

/**
 * Works through `items` in batches sized by `pacer`, with `workers` batches at a time.
 * Before each batch: the run's signal (budget, process signals, lost lock) and the pacer's
 * verdict; a batch once started runs to its commit unless a signal or a lost lock stops it.
 * `work` returns how many of the batch's items needed work (not already done by an earlier run).
 */
async function paced<T>(
  ctx: RunContext, items: T[], pacer: BatchPacer, workers: number, work: (batch: T[]) => Promise<number>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const loop = async () => {
    // After a failure (a lost connection, say) the other workers start no new batch: they
    // would fail the same way, or keep importing for a run that has already failed.
    while (next < items.length && !failed) {
      // The guaranteed first batch may start within the budget's grace (the write signal,
      // which SIGTERM and a lost lock abort at once); every other batch only before the deadline.
      (pacer.floorAvailable ? ctx.writeSignal : ctx.signal).throwIfAborted();
      const size = pacer.nextSize();
      if (size === 0) throw new RunStopped('timeout', 'time budget used up (too little left to start another batch)');
      const batch = items.slice(next, (next += size));
      const t = performance.now();
      let worked: number;
      try {
        worked = await work(batch);
      } catch (err) {
        failed = true;
        ctx.out.rolledBackMs += Math.round(performance.now() - t);
        throw err;
      }
      pacer.record(batch.length, performance.now() - t, worked);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, workers) }, loop));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length > 0 && ctx.signal.aborted) throw ctx.signal.reason;
  // A lost connection is the cause to report; other batches then failed only because of it.
  const failure = failures.find(isConnectionError) ?? failures[0];
  if (failure !== undefined) throw failure;
}

/** Applies a batch of renames; returns how many pages it renamed or deleted. */
async function applyRenames(ctx: RunContext, renames: RenameOp[]): Promise<number> {
  const rows = renames.map((r) => ({ from: r.from, to: r.to, slug: slugFromPath(r.to) }));
  const before = ctx.out.counts.renamed + ctx.out.counts.deleted;
  try {
    await fenced(ctx, async (tx) => {
      const renamed = await renamePages(tx, ctx.source.id, rows);
      return () => noteRenamed(ctx, renamed);
    });
  } catch (err) {
    if (!isDataError(err) || ctx.writeSignal.aborted) throw err;
    // The database refused a row (usually a new slug that collides with another page):
    // rename one at a time; a refused page is deleted instead, and its import (every
    // renamed path is imported or recorded too) writes it or records why not.
    for (const row of rows) {
      await fenced(ctx, async (tx) => {
        const renamed = await renamePages(tx, ctx.source.id, [row]);
        return () => noteRenamed(ctx, renamed);
      }).catch(async (e: unknown) => {
        if (!isDataError(e) || ctx.writeSignal.aborted) throw e;
        await fenced(ctx, async (tx) => {
          const deleted = await deletePages(tx, ctx.source.id, [row.from]);
          return () => noteDeleted(ctx, deleted);
        });
      });
    }
  }
  ctx.progress(renames.length);
  return ctx.out.counts.renamed + ctx.out.counts.deleted - before;
}

/**
 * One fenced write transaction. `fn` may return what to count once the transaction has
 * committed: a rolled-back batch must not be counted as done.
 */
async function fenced(ctx: RunContext, fn: (tx: Queryable) => Promise<(() => void) | void>): Promise<void> {
  const committed = await ctx.db.transaction(async (tx) => {
    await ctx.lock.fence(tx);
    return fn(tx);
  }, { signal: ctx.writeSignal });
  committed?.();
}

function noteDeleted(ctx: RunContext, paths: string[]): void {
  ctx.out.counts.deleted += paths.length;
  ctx.out.changes.deleted.push(...paths);
}

function noteRenamed(ctx: RunContext, renames: { from: string; to: string }[]): void {
  ctx.out.counts.renamed += renames.length;
  ctx.out.changes.renamed.push(...renames);
}
