import type { FileFailure } from '../db/failuresQueries.js';
import type { Changes, Counts, FileFailureReport } from './result.js';

export type ApplyCounts = Pick<Counts, 'imported' | 'skipped' | 'deleted' | 'renamed' | 'failed' | 'read'>;

/** What the apply stage of a run did: only what committed is counted. */
export interface ApplyOutcome {
  counts: ApplyCounts;
  /** Files that failed in this run (recorded in sync_failures). */
  failures: FileFailureReport[];
  /** Paths whose pages this run added, rewrote, deleted or renamed. */
  changes: Changes;
  /** Time spent on write batches that did not commit (stopped mid-way): work the run lost. */
  rolledBackMs: number;
  /**
   * Why the apply ended before the plan did: a RunStopped (budget, signal, lost lock), a
   * ConnectionLostError, or another error. Null when the whole plan was applied.
   */
  ended: Error | null;
}

export function emptyApplyOutcome(): ApplyOutcome {
  return {
    counts: { imported: 0, skipped: 0, deleted: 0, renamed: 0, failed: 0, read: 0 },
    failures: [],
    changes: { added: [], changed: [], deleted: [], renamed: [] },
    rolledBackMs: 0,
    ended: null,
  };
}

/** Files that failed in this run: counted, and reported back in the result. */
export function noteFailed(out: ApplyOutcome, failures: FileFailure[]): void {
  out.counts.failed += failures.length;
  out.failures.push(...failures.map(({ path, code, message }) => ({ path, code, message })));
}
