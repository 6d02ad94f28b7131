import type { Queryable } from '../db/Db.js';
import { isDataError, isUniqueViolation, sqlState } from '../db/dataErrors.js';
import { errorMessage } from '../errors.js';
import { clearFailures, recordFailures, type FileFailure } from '../db/failuresQueries.js';
import { upsertPages, type PageWrite, type UpsertedPaths } from '../db/pagesQueries.js';
import { noteFailed } from './applyOutcome.js';
import { parsePage } from '../markdown/parsePage.js';
import { yieldToEventLoop } from './abort.js';
import type { ImportOp } from './plan.js';
import type { RunContext } from './runContext.js';

/**
 * Imports one batch of pages that need writing (applyPlan has already dropped those stored
 * at the planned blob): they are read from git, parsed, and written in one short fenced
 * transaction. Returns how many pages it wrote or recorded as failed.
 */
export async function importBatch(ctx: RunContext, todo: ImportOp[]): Promise<number> {
  // A batch once started runs to its commit unless a signal or a lost lock stops it (the
  // budget's deadline only stops new batches from starting).
  const { writeSignal: signal } = ctx;
  const { counts } = ctx.out;
  signal.throwIfAborted();
  if (todo.length === 0) return 0;

  const blobs = await Promise.all(todo.map((op) => ctx.reader.read(op.oid, ctx.maxFileBytes)));
  counts.read += blobs.length;
  signal.throwIfAborted();
  const pages: PageWrite[] = [];
  const failures: FileFailure[] = [];
  todo.forEach((op, i) => {
    const content = blobs[i].content;
    if (content === null) {
      failures.push(tooLarge(op, blobs[i].size, ctx.maxFileBytes));
      return;
    }
    const parsed = parsePage(op.path, content);
    if (parsed.ok) pages.push({ ...parsed.page, path: op.path, blobOid: op.oid });
    else failures.push({ path: op.path, blobOid: op.oid, code: parsed.code, message: parsed.message });
  });
  await yieldToEventLoop();
  await writePages(ctx, pages, failures);
  return todo.length;
}

async function writePages(ctx: RunContext, pages: PageWrite[], failures: FileFailure[]): Promise<void> {
  let written: UpsertedPaths;
  try {
    written = await ctx.db.transaction((tx) => writeInTx(ctx, tx, pages, failures), { signal: ctx.writeSignal });
  } catch (err) {
    if (!isDataError(err) || ctx.writeSignal.aborted || pages.length === 0) throw err;
    return writeOneByOne(ctx, pages, failures, err);
  }
  ctx.out.counts.imported += pages.length;
  ctx.out.changes.added.push(...written.added);
  ctx.out.changes.changed.push(...written.changed);
  noteFailed(ctx.out, failures);
  ctx.progress(pages.length + failures.length);
}

/**
 * The database refused something in the batch (a slug that collides, a value it cannot
 * store, a limit): write the pages one at a time, so that only the page it refuses is
 * recorded as a failure and the rest of the batch, and the source, go on.
 */
async function writeOneByOne(ctx: RunContext, pages: PageWrite[], failures: FileFailure[], err: unknown): Promise<void> {
  if (pages.length === 1) return writePages(ctx, [], [...failures, refused(pages[0], err)]);
  if (failures.length > 0) await writePages(ctx, [], failures);
  for (const page of pages) await writePages(ctx, [page], []);
}

async function writeInTx(ctx: RunContext, tx: Queryable, pages: PageWrite[], failures: FileFailure[]): Promise<UpsertedPaths> {
  await ctx.lock.fence(tx);
  const written = await upsertPages(tx, ctx.source.id, pages, { exclusive: ctx.db.capabilities.exclusive });
  await clearFailures(tx, ctx.source.id, pages.map((p) => p.path));
  await recordFailures(tx, ctx.source.id, failures);
  return written;
}

/** The failure of a page whose slug another page of the source has (retried by every plan: buildPlan). */
export const slugConflictCode = 'slug_conflict';

function refused(page: PageWrite, err: unknown): FileFailure {
  const base = { path: page.path, blobOid: page.blobOid };
  if (isUniqueViolation(err)) {
    return {
      ...base,
      code: slugConflictCode,
      message: `another page of this source already has the slug "${page.slug}"; the file was skipped. Rename one of the two files.`,
    };
  }
  return {
    ...base,
    code: 'db_rejected',
    message:
      `the database refused this page (${errorMessage(err)}; SQLSTATE ${sqlState(err)}); the file was skipped and recorded. ` +
      'Fix what the message names and the next sync retries it; if the file looks fine, report it.',
  };
}

function tooLarge(op: ImportOp, size: number, max: number): FileFailure {
  return {
    path: op.path,
    blobOid: op.oid,
    code: 'too_large',
    message: `the file is ${formatBytes(size)}, over the ${formatBytes(max)} limit; it was skipped. Split it, or raise --max-file-size and sync once with --retry-failed (a failed file is retried by itself only when it changes).`,
  };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
