import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, Queryable } from '../db/Db.js';
import { listFailures } from '../db/failuresQueries.js';
import { allBlobOids } from '../db/pagesQueries.js';
import { listSources, type SourceRow } from '../db/sourcesQueries.js';
import { errorMessage } from '../errors.js';
import { BlobReader } from '../git/BlobReader.js';
import { lsTree } from '../git/lsTree.js';
import { compareWithTree } from './compareWithTree.js';
import { checkIgnoreFileMode, loadFileSelector } from './loadFileSelector.js';
import { requireSource } from './requireSource.js';

export interface VerifyResult {
  source: string;
  /** The commit the brain was compared with; null before the first complete sync. */
  bookmark: string | null;
  /** clean: exactly the bookmark's files; drift: something differs; no_bookmark; error: could not compare. */
  status: 'clean' | 'drift' | 'no_bookmark' | 'error';
  clean: boolean;
  missing: string[];
  extra: string[];
  outdated: string[];
  /** Files with a failure recorded at the bookmark's blob (absent or stale by design, not drift). */
  failed: number;
  /** Pages the brain holds for the source. */
  pages: number;
  /** Files at the bookmark that should be pages or recorded failures. */
  files: number;
  /**
   * A run has written past the bookmark and not finished (stopped early, or running now): its
   * pages are ahead of the bookmark, so drift is expected until the next complete sync.
   */
  unfinishedRun: boolean;
  /** Why the comparison could not be made (status error), or what else to know. */
  message: string | null;
}

export interface VerifyOptions {
  /** Where brainsync keeps its mirrors of clone-URL sources. */
  reposDir: string;
  signal?: AbortSignal;
}

/**
 * `brainsync verify`: compares each source's pages with its bookmark commit's tree (paths and
 * blob ids, through the planner's selection rules), read-only. Names are checked before any
 * work; no names means every source. A source that cannot be compared (its repository or
 * bookmark commit is gone) gets status `error` and the others go on.
 */
export async function verifySources(db: Db, names: string[], opts: VerifyOptions): Promise<VerifyResult[]> {
  const sources = names.length === 0 ? await listSources(db) : await Promise.all([...new Set(names)].map((n) => requireSource(db, n)));
  const out: VerifyResult[] = [];
  for (const s of sources) out.push(await verifySource(db, s.name, opts));
  return out;
}

interface BrainSide {
  source: SourceRow;
  stored: Map<string, string>;
  failures: Map<string, string>;
}

/**
 * The bookmark, pages and failure records as of one snapshot. On Postgres a sync of the same
 * source may be committing batches meanwhile; a repeatable-read transaction makes the three
 * reads agree with each other (pages written after the snapshot are not seen).
 */
async function readBrainSide(db: Db, name: string): Promise<BrainSide> {
  return db.transaction(async (tx: Queryable) => {
    await tx.exec('set transaction isolation level repeatable read, read only');
    const source = await requireSource(tx, name);
    const stored = await allBlobOids(tx, source.id);
    const failures = new Map((await listFailures(tx, source.id)).map((f) => [f.path, f.blobOid]));
    return { source, stored, failures };
  });
}

async function verifySource(db: Db, name: string, opts: VerifyOptions): Promise<VerifyResult> {
  const { source, stored, failures } = await readBrainSide(db, name);
  const base: VerifyResult = {
    source: name, bookmark: source.bookmarkCommit, status: 'clean', clean: true, missing: [], extra: [], outdated: [],
    failed: 0, pages: stored.size, files: 0, unfinishedRun: source.pendingTargets.length > 0, message: null,
  };
  const bookmark = source.bookmarkCommit;
  if (!bookmark) {
    return { ...base, status: 'no_bookmark', clean: false, message: 'never completely synced, so there is no commit to compare with' };
  }
  const repoDir = source.repoKind === 'remote' ? join(opts.reposDir, source.name) : source.repo;
  if (!(await isDirectory(repoDir))) {
    const what = source.repoKind === 'remote' ? `brainsync's mirror of ${source.name} (${repoDir})` : `the repository ${repoDir}`;
    return { ...base, status: 'error', clean: false, message: `${what} does not exist, so the bookmark's files cannot be read` };
  }
  let reader: BlobReader | null = null;
  try {
    reader = await BlobReader.open(repoDir, { signal: opts.signal });
    if (!(await reader.has(bookmark))) {
      return { ...base, status: 'error', clean: false, message: `the bookmark commit ${bookmark.slice(0, 12)} is not in ${repoDir} (history rewritten and garbage-collected, or the repository replaced)` };
    }
    const select = await loadFileSelector(reader, bookmark, source);
    const tree = await lsTree(repoDir, bookmark, { subdir: source.subdir || undefined, signal: opts.signal });
    if (tree) checkIgnoreFileMode(tree, bookmark, source);
    const c = compareWithTree(tree ?? [], stored, failures, select);
    const clean = c.missing.length + c.extra.length + c.outdated.length === 0;
    const message = tree === null ? `the subdirectory ${source.subdir}/ does not exist at the bookmark` : null;
    return { ...base, ...c, status: clean ? 'clean' : 'drift', clean, message };
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    return { ...base, status: 'error', clean: false, message: `could not read the bookmark's files from ${repoDir}: ${errorMessage(err)}` };
  } finally {
    await reader?.close();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
