import type { Db } from '../db/Db.js';
import { GitFailure } from '../errors.js';
import { listFailures } from '../db/failuresQueries.js';
import { allBlobOids } from '../db/pagesQueries.js';
import type { SourceRow } from '../db/sourcesQueries.js';
import { diffRaw, type Change } from '../git/diffRaw.js';
import { hasSubdir, lsTree } from '../git/lsTree.js';
import type { BlobReader } from '../git/BlobReader.js';
import { isAncestor } from '../git/repoInfo.js';
import type { Collected } from './collect.js';
import { planFromDiff, planFromTree, type KnownFailures, type Plan } from './plan.js';
import { checkIgnoreFileMode, loadFileSelector } from './loadFileSelector.js';
import { ignoreFileName } from './selectFiles.js';
import { slugConflictCode } from './importBatch.js';

export interface BuildPlanOptions {
  full: boolean;
  retryFailed: boolean;
  signal: AbortSignal;
}

/** Reads what the plan needs from git and the brain, then plans (DESIGN §2 step 4). */
export async function buildPlan(
  db: Db,
  source: SourceRow,
  c: Collected,
  reader: BlobReader,
  opts: BuildPlanOptions,
): Promise<Plan> {
  const { signal } = opts;
  const subdir = source.subdir || undefined;
  if (subdir && !(await hasSubdir(c.repoDir, c.target, subdir, { signal }))) throw subdirGone(source, c.target);
  const select = await loadFileSelector(reader, c.target, source);
  const failures = opts.retryFailed ? [] : await listFailures(db, source.id);
  // A slug conflict depends on the other file too: renaming or removing that one resolves it,
  // so such a failure is tried again by every run that plans, however unchanged the file.
  const conflicts = failures.filter((f) => f.code === slugConflictCode);
  const known: KnownFailures = new Map(failures.filter((f) => f.code !== slugConflictCode).map((f) => [f.path, f.blobOid]));

  const why = await fullCompareReason(source, c, reader, opts);
  if (why === null) {
    // A diff plans with one selector for both ends, so the ignore file must be the same at
    // the bookmark, at the target and at every unfinished run's target.
    const changes = await diffRaw(c.repoDir, source.bookmarkCommit!, c.target, { subdir, signal });
    if (!touchesIgnoreFile(changes)) {
      const revisit = await revisitChanges(c.repoDir, c.target, source, reader, subdir, signal);
      if (revisit && !touchesIgnoreFile(revisit)) return planFromDiff(changes, [...revisit, ...conflicts.map(unchangedFile)], select, known);
    }
  }
  const tree = (await lsTree(c.repoDir, c.target, { subdir, signal })) ?? [];
  // Only a full compare sees the ignore file's mode; a diff run reuses a mode that the run
  // which last saw the file change already checked.
  checkIgnoreFileMode(tree, c.target, source);
  const stored = await allBlobOids(db, source.id);
  return planFromTree(tree, stored, select, known, why ?? 'the ignore file or an unfinished earlier run needs a full compare');
}

/**
 * A source's directory that is gone from the branch (renamed, removed, or its case changed)
 * would read as a source whose every file was deleted: the run fails instead, deleting nothing.
 */
function subdirGone(source: SourceRow, target: string): GitFailure {
  return new GitFailure(
    `source "${source.name}": its directory "${source.subdir}" is not in branch "${source.branch}" at ${target.slice(0, 12)} ` +
      '(renamed or removed?), so nothing was synced and nothing deleted. Restore the directory, or remove the source ' +
      '(`brainsync sources remove`) and add it again with the right --subdir.',
  );
}

/**
 * A failed file the diff may not name, as a change that leaves it at its failed blob: planned
 * like an unfinished run's path, it is imported again where the diff does not name it.
 */
function unchangedFile(f: { path: string; blobOid: string }): Change {
  return { status: 'M', path: f.path, srcOid: f.blobOid, dstOid: f.blobOid, srcMode: '100644', dstMode: '100644' };
}

function touchesIgnoreFile(changes: Change[]): boolean {
  return changes.some((ch) => ch.path === ignoreFileName || ch.oldPath === ignoreFileName);
}

async function fullCompareReason(
  source: SourceRow,
  c: Collected,
  reader: BlobReader,
  opts: BuildPlanOptions,
): Promise<string | null> {
  const bookmark = source.bookmarkCommit;
  if (!bookmark) return 'first sync';
  if (opts.full) return '--full';
  if (opts.retryFailed) return '--retry-failed';
  if (!(await reader.has(bookmark))) return 'the bookmark commit no longer exists';
  if (!(await isAncestor(c.repoDir, bookmark, c.target, { signal: opts.signal }))) {
    return 'the bookmark is not an ancestor of the target (force-push or rewritten history)';
  }
  return null;
}

/**
 * Changes from the bookmark to the targets of unfinished runs; null when one cannot be read.
 * A run stopped early and resumed with no new commit has the target itself unfinished: its
 * diff names exactly the paths of the target's own diff (a rename's two paths as a delete and
 * an add), which planFromDiff already covers, so it is not asked of git again.
 */
async function revisitChanges(
  repoDir: string,
  target: string,
  source: SourceRow,
  reader: BlobReader,
  subdir: string | undefined,
  signal: AbortSignal,
) {
  const out: Change[] = [];
  for (const pending of source.pendingTargets) {
    if (pending === target) continue;
    if (!(await reader.has(pending))) return null;
    out.push(...(await diffRaw(repoDir, source.bookmarkCommit!, pending, { subdir, renames: false, signal })));
  }
  return out;
}
