import pLimit from 'p-limit';
import { isConnectionError } from '../db/connectionErrors.js';
import type { Queryable } from '../db/Db.js';
import { clearFailures, recordFailures } from '../db/failuresQueries.js';
import { deletePages, renamePages } from '../db/pagesQueries.js';
import { addPendingTarget } from '../db/bookmarkQueries.js';
import { slugFromPath } from '../markdown/slugFromPath.js';
import { importBatch } from './importBatch.js';
import { plannedCount, type Plan, type RenameOp } from './plan.js';
import type { RunContext } from './runContext.js';

/** Pages per import transaction: small enough to commit within a few seconds, big enough to amortise round-trips. */
export const importBatchSize = 100;
/** Paths per delete / rename statement. */
const pathBatchSize = 500;

/**
 * Applies a plan: deletes, renames, known failures, then imports through a worker pool.
 * Every write is a short fenced transaction; the signal is checked between batches, so a
 * stopped run keeps everything written so far.
 */
export async function applyPlan(ctx: RunContext, plan: Plan, target: string): Promise<void> {
  if (plannedCount(plan) + plan.clearFailures.length === 0) return;
  await fenced(ctx, (tx) => addPendingTarget(tx, ctx.source.id, target));
  for (const paths of batches(plan.deletes, pathBatchSize)) {
    await fenced(ctx, async (tx) => {
      ctx.counts.deleted += await deletePages(tx, ctx.source.id, paths);
      await clearFailures(tx, ctx.source.id, paths);
    });
    ctx.progress(paths.length);
  }
  for (const renames of batches(plan.renames, pathBatchSize)) await applyRenames(ctx, renames);
  if (plan.failures.length > 0 || plan.clearFailures.length > 0) {
    const failures = plan.failures.map(({ path, oid, code, message }) => ({ path, blobOid: oid, code, message }));
    await fenced(ctx, async (tx) => {
      await recordFailures(tx, ctx.source.id, failures);
      await clearFailures(tx, ctx.source.id, plan.clearFailures);
    });
    ctx.counts.failed += failures.length;
    ctx.report(failures);
    ctx.progress(failures.length);
  }
  await importAll(ctx, plan);
}

async function importAll(ctx: RunContext, plan: Plan): Promise<void> {
  const limit = pLimit(Math.max(1, ctx.workers));
  // After a lost connection the remaining batches would fail the same way (or, once the server
  // is back, keep importing for a run that has already failed): stop taking them.
  let lost: unknown = null;
  const tasks = batches(plan.imports, importBatchSize).map((ops) =>
    limit(async () => {
      // Queued tasks start after an abort too: each checks the signal first.
      ctx.signal.throwIfAborted();
      if (lost) throw lost;
      await importBatch(ctx, ops).catch((err: unknown) => {
        if (isConnectionError(err)) lost ??= err;
        throw err;
      });
    }),
  );
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (lost) throw lost;
  if (failure) throw failure.reason;
}

async function applyRenames(ctx: RunContext, renames: RenameOp[]): Promise<void> {
  const rows = renames.map((r) => ({ from: r.from, to: r.to, slug: slugFromPath(r.to) }));
  try {
    await fenced(ctx, async (tx) => {
      ctx.counts.renamed += await renamePages(tx, ctx.source.id, rows);
    });
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    // A new slug collides with another page: rename one at a time; a colliding page is
    // deleted instead and its import records the conflict.
    for (const row of rows) {
      await fenced(ctx, async (tx) => {
        ctx.counts.renamed += await renamePages(tx, ctx.source.id, [row]);
      }).catch(async (e: unknown) => {
        if ((e as { code?: string }).code !== '23505') throw e;
        await fenced(ctx, async (tx) => void (ctx.counts.deleted += await deletePages(tx, ctx.source.id, [row.from])));
      });
    }
  }
  ctx.progress(renames.length);
}

function fenced(ctx: RunContext, fn: (tx: Queryable) => Promise<void>): Promise<void> {
  return ctx.db.transaction(async (tx) => {
    await ctx.lock.fence(tx);
    await fn(tx);
  }, { signal: ctx.signal });
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
