import { ExitCode } from '../errors.js';
import type { StopReason } from './abort.js';

export type SyncStatus = 'up_to_date' | 'synced' | 'partial' | 'locked' | 'failed' | 'dry_run';

export interface Counts {
  planned: number;
  imported: number;
  /** Files already stored at the target's blob (found by the full compare or the batched lookup): not read, not parsed. */
  skipped: number;
  deleted: number;
  renamed: number;
  /** Files that failed in this run (recorded in sync_failures). */
  failed: number;
  /** Blobs read from git in this run. */
  read: number;
  embedded: number;
  pending: number;
}

export interface Timings {
  lockMs: number;
  pullMs: number;
  planMs: number;
  applyMs: number;
  embedMs: number;
  totalMs: number;
  /** Time spent on write batches that did not commit (stopped mid-way): work the run lost. */
  rolledBackMs: number;
}

export interface FileFailureReport {
  path: string;
  code: string;
  message: string;
}

/** Paths whose pages a run added, rewrote, deleted or renamed (what a post-run hook is told). */
export interface Changes {
  added: string[];
  changed: string[];
  deleted: string[];
  renamed: { from: string; to: string }[];
}

export interface SourceResult {
  source: string;
  status: SyncStatus;
  reason?: StopReason;
  /** Why a run stopped, failed, or could not take its lock, in words. */
  message?: string;
  holder?: { host: string; pid: number; since: string; heartbeatAgeSeconds: number };
  runId?: string;
  bookmarkFrom: string | null;
  target: string | null;
  mode?: 'diff' | 'full';
  pull?: string;
  counts: Counts;
  timings: Timings;
  failures: FileFailureReport[];
  /** What the run changed in the brain; left out of printed results (it can hold every path of a source). */
  changes?: Changes;
  /** --dry-run only: the operations the run would perform. */
  plan?: { deletes: string[]; renames: { from: string; to: string }[]; imports: string[]; failures: FileFailureReport[] };
}

/** A result as `--json` prints it: without the change lists (a first sync would list every path). */
export function printableResult(r: SourceResult): Omit<SourceResult, 'changes'> {
  const { changes: _changes, ...rest } = r;
  return rest;
}

export function zeroCounts(): Counts {
  return { planned: 0, imported: 0, skipped: 0, deleted: 0, renamed: 0, failed: 0, read: 0, embedded: 0, pending: 0 };
}

export function zeroTimings(): Timings {
  return { lockMs: 0, pullMs: 0, planMs: 0, applyMs: 0, embedMs: 0, totalMs: 0, rolledBackMs: 0 };
}

/** DESIGN §3: a source's exit code. */
export function exitCodeOf(r: SourceResult): number {
  switch (r.status) {
    case 'failed':
      return ExitCode.failed;
    case 'partial':
    case 'locked':
      return ExitCode.temporary;
    default:
      return r.counts.failed > 0 ? ExitCode.filesFailed : ExitCode.ok;
  }
}

/** The worst of several: failed > partial/locked > files failed > done. */
export function worstExitCode(results: SourceResult[]): number {
  const rank = [ExitCode.ok, ExitCode.filesFailed, ExitCode.temporary, ExitCode.failed];
  let worst: number = ExitCode.ok;
  for (const r of results) {
    const code = exitCodeOf(r);
    if (rank.indexOf(code as (typeof rank)[number]) > rank.indexOf(worst as (typeof rank)[number])) worst = code;
  }
  return worst;
}
