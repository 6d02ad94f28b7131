import type { Change } from '../git/diffRaw.js';
import type { TreeEntry } from '../git/lsTree.js';
import type { FileSelector } from './selectFiles.js';

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
  failures: FailOp[];
  /** Failure records for paths that are gone or no longer selected. */
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

class PlanBuilder {
  readonly plan: Plan;
  constructor(
    mode: Plan['mode'],
    why: string | null,
    private readonly select: FileSelector,
    private readonly known: KnownFailures,
  ) {
    this.plan = emptyPlan(mode, why);
  }

  present(path: string, oid: string, mode: string): 'import' | 'skip' | 'fail' {
    const sel = this.select(path, mode);
    if (sel.kind === 'skip') {
      if (this.known.has(path)) this.plan.clearFailures.push(path);
      return 'skip';
    }
    if (this.known.get(path) === oid) {
      this.plan.knownFailed++;
      return 'fail';
    }
    if (sel.kind === 'fail') {
      this.plan.failures.push({ path, oid, code: sel.code, message: sel.message });
      return 'fail';
    }
    this.plan.imports.push({ path, oid });
    return 'import';
  }

  absent(path: string): void {
    this.plan.deletes.push(path);
    if (this.known.has(path)) this.plan.clearFailures.push(path);
  }
}

/**
 * Plans from `git diff --raw -M bookmark target`. `revisit` holds diffs from the bookmark to
 * targets of earlier runs that stopped early: their paths get the state they have at the
 * target (which, when this diff does not name them, is their state at the bookmark).
 */
export function planFromDiff(changes: Change[], revisit: Change[], select: FileSelector, known: KnownFailures): Plan {
  const b = new PlanBuilder('diff', null, select, known);
  const covered = new Set<string>();
  for (const c of changes) {
    covered.add(c.path);
    if (c.status === 'D') {
      b.absent(c.path);
    } else if (c.status === 'R' && c.oldPath !== undefined) {
      covered.add(c.oldPath);
      const wasPage = select(c.oldPath, c.srcMode).kind === 'import';
      const outcome = b.present(c.path, c.dstOid, c.dstMode);
      if (wasPage && outcome === 'import') b.plan.renames.push({ from: c.oldPath, to: c.path, oid: c.dstOid });
      else b.absent(c.oldPath);
    } else {
      b.present(c.path, c.dstOid, c.dstMode);
    }
  }
  for (const c of revisit) {
    if (covered.has(c.path)) continue;
    covered.add(c.path);
    if (c.status === 'A') b.absent(c.path);
    else b.present(c.path, c.srcOid, c.srcMode);
  }
  return b.plan;
}

/**
 * Plans by comparing the target's whole tree with the (path, blob) pairs in the brain: a
 * page stored at the same blob is left alone, so a force-push rewrites nothing unchanged.
 * A deleted page whose blob reappears under a new path becomes a rename (its identity and
 * chunks are kept).
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
  for (const e of tree) {
    seen.add(e.path);
    if (stored.get(e.path) === e.oid && select(e.path, e.mode).kind === 'import') b.plan.unchanged++;
    else b.present(e.path, e.oid, e.mode);
  }
  for (const path of stored.keys()) if (!seen.has(path)) b.absent(path);
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
