import type { Change } from '../git/diffRaw.js';
import type { TreeEntry } from '../git/lsTree.js';
import { displayPath } from '../git/displayPath.js';
import type { FileSelector, Selection } from './selectFiles.js';

export interface ImportOp {
  path: string;
  oid: string;
}
export interface RenameOp {
  from: string;
  to: string;
  oid: string;
}
export interface FailOp {
  path: string;
  oid: string;
  code: string;
  message: string;
}

/** What a run will do, as plain data: printable (--dry-run), testable without a database. */
export interface Plan {
  mode: 'diff' | 'full';
  /** Why a full compare was chosen (first sync, --full, force-push, ...). */
  why: string | null;
  deletes: string[];
  renames: RenameOp[];
  imports: ImportOp[];
  /** Paths in display form (see displayPath), like clearFailures. */
  failures: FailOp[];
  /** Failure records (by display path) for paths that are gone, renamed or no longer selected. */
  clearFailures: string[];
  /** Files the full compare found already stored at the target's blob, or known to fail. */
  unchanged: number;
  knownFailed: number;
}

export function emptyPlan(mode: Plan['mode'], why: string | null): Plan {
  return { mode, why, deletes: [], renames: [], imports: [], failures: [], clearFailures: [], unchanged: 0, knownFailed: 0 };
}

export function plannedCount(plan: Plan): number {
  return plan.deletes.length + plan.renames.length + plan.imports.length + plan.failures.length;
}

/** Recorded failures: path → the blob that failed. A failure is retried when its blob changes. */
export type KnownFailures = Map<string, string>;

/**
 * What present() found: a page to import, a page whose blob is a known failure, a file that
 * is not a page (skip), or one the selector refused (fail: symlink, bad path, ...).
 */
type Outcome = 'import' | 'known' | 'skip' | 'fail';

/**
 * Failure records are keyed by displayPath: a path that is not UTF-8 holds unpaired
 * surrogates (decodeGitPath's escapes), which the database cannot store. Such a path never
 * becomes an import, delete or rename, so it can never touch another page.
 */
class PlanBuilder {
  readonly plan: Plan;
  constructor(
    mode: Plan['mode'],
    why: string | null,
    readonly select: FileSelector,
    private readonly known: KnownFailures,
  ) {
    this.plan = emptyPlan(mode, why);
  }

  /** A file that exists at the target. */
  present(path: string, oid: string, mode: string, sel: Selection = this.select(path, mode)): Outcome {
    const key = displayPath(path);
    if (sel.kind === 'skip') {
      this.clearKnown(key);
      return 'skip';
    }
    if (this.known.get(key) === oid) {
      this.plan.knownFailed++;
      return sel.kind === 'fail' ? 'fail' : 'known';
    }
    if (sel.kind === 'fail') {
      this.plan.failures.push({ path: key, oid, code: sel.code, message: sel.message });
      return 'fail';
    }
    this.plan.imports.push({ path, oid });
    return 'import';
  }

  /** A file that is gone at the target (diff mode): its page is deleted if it was one. */
  absent(path: string, mode: string): void {
    if (this.select(path, mode).kind === 'import') this.plan.deletes.push(path);
    this.clearKnown(displayPath(path));
  }

  /**
   * A file still there that the filters no longer select (it became a symlink, or a
   * submodule): the page it was is deleted. Its failure record is present()'s business.
   */
  unselected(path: string, outcome: Outcome, oldMode: string): void {
    if ((outcome === 'skip' || outcome === 'fail') && this.select(path, oldMode).kind === 'import') this.plan.deletes.push(path);
  }

  clearKnown(key: string): void {
    if (this.known.has(key)) this.plan.clearFailures.push(key);
  }
}

/**
 * Plans from `git diff --raw -M bookmark target`. `revisit` holds diffs from the bookmark to
 * targets of earlier runs that stopped early: their paths get the state they have at the
 * target (which, when this diff does not name them, is their state at the bookmark). The
 * selector is the same at both ends (a changed ignore file forces a full compare), so a
 * path was a page exactly when the selector takes its old state: deleting 60 images or
 * renaming `a.png` to `b.md` deletes no page.
 */
export function planFromDiff(changes: Change[], revisit: Change[], select: FileSelector, known: KnownFailures): Plan {
  const b = new PlanBuilder('diff', null, select, known);
  const covered = new Set<string>();
  for (const c of changes) {
    covered.add(c.path);
    if (c.status === 'D') {
      b.absent(c.path, c.srcMode);
    } else if (c.status === 'R' && c.oldPath !== undefined) {
      covered.add(c.oldPath);
      renamed(b, c, c.oldPath);
    } else {
      const outcome = b.present(c.path, c.dstOid, c.dstMode);
      if (c.status !== 'A') b.unselected(c.path, outcome, c.srcMode);
    }
  }
  for (const c of revisit) {
    if (covered.has(c.path)) continue;
    covered.add(c.path);
    if (c.status === 'A') {
      b.absent(c.path, c.dstMode);
    } else {
      const outcome = b.present(c.path, c.srcOid, c.srcMode);
      if (c.status !== 'D') b.unselected(c.path, outcome, c.dstMode);
    }
  }
  return b.plan;
}

function renamed(b: PlanBuilder, c: Change, oldPath: string): void {
  const wasPage = b.select(oldPath, c.srcMode).kind === 'import';
  const outcome = b.present(c.path, c.dstOid, c.dstMode);
  if (!wasPage || outcome !== 'import') {
    b.absent(oldPath, c.srcMode);
    return;
  }
  b.plan.renames.push({ from: oldPath, to: c.path, oid: c.dstOid });
  // The old path's failure (an earlier blob that did not parse) went with the file.
  b.clearKnown(oldPath);
}

/**
 * Plans by comparing the target's whole tree with the (path, blob) pairs in the brain: a
 * page stored at the same blob is left alone, so a force-push rewrites nothing unchanged.
 * A stored page whose file is gone or no longer selected (newly ignored, now a symlink) is
 * deleted. A deleted page whose blob reappears under a new path becomes a rename (its
 * identity and chunks are kept).
 */
export function planFromTree(
  tree: TreeEntry[],
  stored: Map<string, string>,
  select: FileSelector,
  known: KnownFailures,
  why: string,
): Plan {
  const b = new PlanBuilder('full', why, select, known);
  const seen = new Set<string>();
  const selected = new Set<string>();
  for (const e of tree) {
    const sel = select(e.path, e.mode);
    seen.add(displayPath(e.path));
    if (sel.kind === 'import') selected.add(e.path);
    if (sel.kind === 'import' && stored.get(e.path) === e.oid) b.plan.unchanged++;
    else b.present(e.path, e.oid, e.mode, sel);
  }
  for (const path of stored.keys()) {
    if (selected.has(path)) continue;
    b.plan.deletes.push(path);
    // A file still in the tree had its failure record settled by present().
    if (!seen.has(path)) b.clearKnown(path);
  }
  for (const path of known.keys()) if (!seen.has(path) && !stored.has(path)) b.plan.clearFailures.push(path);
  pairRenames(b.plan, stored);
  return b.plan;
}

function pairRenames(plan: Plan, stored: Map<string, string>): void {
  const deletedByOid = new Map<string, string[]>();
  for (const path of plan.deletes) {
    const oid = stored.get(path)!;
    deletedByOid.set(oid, [...(deletedByOid.get(oid) ?? []), path]);
  }
  if (deletedByOid.size === 0) return;
  const renamedFrom = new Set<string>();
  for (const op of plan.imports) {
    const from = deletedByOid.get(op.oid)?.pop();
    if (from === undefined) continue;
    renamedFrom.add(from);
    plan.renames.push({ from, to: op.path, oid: op.oid });
  }
  plan.deletes = plan.deletes.filter((p) => !renamedFrom.has(p));
}
