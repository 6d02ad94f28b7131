import { displayPath } from '../git/displayPath.js';
import type { TreeEntry } from '../git/lsTree.js';
import type { FileSelector } from './selectFiles.js';

export interface TreeComparison {
  /** Selected at the commit, neither a page nor an accounted failure. */
  missing: string[];
  /** A page the commit's selected files do not have (gone, ignored, no longer markdown). */
  extra: string[];
  /** A page whose blob is not the commit's. */
  outdated: string[];
  /** Files whose failure was recorded at the commit's blob: absent or stale by design. */
  failed: number;
  /** Files at the commit that should be pages or recorded failures. */
  files: number;
}

/**
 * Compares a commit's tree with what the brain holds for it, using the selection rules a
 * plan uses. A file whose failure is recorded at exactly the commit's blob is accounted for:
 * its page is absent (never imported) or keeps its last good version. A file the selector
 * refuses (a symlink, a bad path) is accounted for only by its failure record. Lists come out
 * sorted, so the same brain always gives the same report.
 *
 * `stored`: path → blob oid of the pages; `failures`: display path → blob oid of the records.
 */
export function compareWithTree(
  tree: TreeEntry[],
  stored: Map<string, string>,
  failures: Map<string, string>,
  select: FileSelector,
): TreeComparison {
  const out: TreeComparison = { missing: [], extra: [], outdated: [], failed: 0, files: 0 };
  const selected = new Set<string>();
  for (const e of tree) {
    const sel = select(e.path, e.mode);
    if (sel.kind === 'skip') continue;
    out.files++;
    const key = displayPath(e.path);
    if (sel.kind === 'import') selected.add(e.path);
    const page = sel.kind === 'import' ? stored.get(e.path) : undefined;
    if (page === e.oid) continue;
    if (failures.get(key) === e.oid) out.failed++;
    else if (page === undefined) out.missing.push(key);
    else out.outdated.push(key);
  }
  for (const path of stored.keys()) if (!selected.has(path)) out.extra.push(path);
  for (const list of [out.missing, out.extra, out.outdated]) list.sort(byCodeUnit);
  return out;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
