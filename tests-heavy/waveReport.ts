/** The records and the JSON report of a cron-wave run (tests-heavy/cronWaves.ts). */
import type { SourceResult } from '../src/core/result.js';

export type Mode = 'waves' | 'faults';

export interface RunRecord {
  exit: number | null;
  signal: string | null;
  ms: number;
  statuses: Record<string, string>;
  read: Record<string, number>;
  skipped: Record<string, number>;
  /** Pages of the source whose stored blob differed from the target tree when the run started. */
  needed: Record<string, number>;
  pending: Record<string, number>;
  locks?: { source: string; verdict: string }[];
  /** Milliseconds per phase, per source. */
  timings: Record<string, string>;
  /** Why a source failed, in brainsync's words. */
  messages?: Record<string, string>;
}

export interface WaveRecord extends RunRecord {
  wave: number;
  kind: 'mutation' | 'quiet';
  fault?: { kind: string; atMs: number; hit: boolean; source?: string; overlap?: RunRecord | null; terminated?: number };
  breakLock?: RunRecord;
}

export interface Report {
  backend: string;
  mode: Mode;
  seed: number;
  pages: number;
  sources: number;
  budget: number;
  outer: number;
  mutationWaves: number;
  mutationSize: number;
  firstSyncPagesPerSecond: number;
  waves: WaveRecord[];
  totals: {
    waves: number;
    quietWavesToConverge: number;
    partial: number;
    partialTimeout: number;
    partialSignal: number;
    failed: number;
    locked: number;
    kills: number;
    terms: number;
    overlaps: number;
    backendTerminations: number;
    faultsMissed: number;
    resumedAfterPartial: number;
    /** Pages seen at a renamed path still holding the old path's content (a run stopped between rename and re-import). */
    renamedAheadOfContent: number;
  };
  stalenessCheck: { maxStaleness: number; stalestAtEnd: number; waitedSeconds: number; failingExit: number; passingExit: number };
  final: { verifyExit: number; bookmarksAtTips: boolean; pending: number; pages: number };
  wallSeconds: number;
}

/** A problem found by a check: the test fails with all of them. */
export class Violations {
  readonly list: string[] = [];
  add(msg: string): void {
    this.list.push(msg);
  }
}

export function newReport(o: {
  backend: string; mode: Mode; seed: number; pages: number; sources: string[]; mutationWaves: number;
}): Report {
  return {
    backend: o.backend, mode: o.mode, seed: o.seed, pages: o.pages, sources: o.sources.length, budget: 0,
    outer: 0, mutationWaves: o.mutationWaves, mutationSize: 0, firstSyncPagesPerSecond: 0, waves: [],
    totals: {
      waves: 0, quietWavesToConverge: 0, partial: 0, partialTimeout: 0, partialSignal: 0, failed: 0, locked: 0, kills: 0, terms: 0,
      overlaps: 0, backendTerminations: 0, faultsMissed: 0, resumedAfterPartial: 0, renamedAheadOfContent: 0,
    },
    stalenessCheck: { maxStaleness: 0, stalestAtEnd: 0, waitedSeconds: 0, failingExit: -1, passingExit: -1 },
    final: { verifyExit: -1, bookmarksAtTips: false, pending: -1, pages: 0 },
    wallSeconds: 0,
  };
}

/** A run's JSON result as a record; a run that read more blobs than pages differed is a violation. */
export function parseRun(
  v: Violations,
  r: { code: number | null; signal: string | null; stdout: string; ms: number },
  needed: Record<string, number>,
): RunRecord {
  const rec: RunRecord = { exit: r.code, signal: r.signal, ms: r.ms, statuses: {}, read: {}, skipped: {}, needed, pending: {}, timings: {} };
  const line = r.stdout.trim();
  if (!line) return rec;
  let doc: { sources?: SourceResult[]; locks?: { source: string; verdict: string }[] };
  try {
    doc = JSON.parse(line) as typeof doc;
  } catch {
    v.add(`a run printed something other than one JSON document: ${line.slice(0, 300)}`);
    return rec;
  }
  if (doc.locks) rec.locks = doc.locks.map((l) => ({ source: l.source, verdict: l.verdict }));
  for (const s of doc.sources ?? []) {
    rec.statuses[s.source] = s.reason ? `${s.status}/${s.reason}` : s.status;
    if (s.message && s.status === 'failed') (rec.messages ??= {})[s.source] = s.message;
    rec.read[s.source] = s.counts.read;
    rec.skipped[s.source] = s.counts.skipped;
    rec.pending[s.source] = s.counts.pending;
    const t = s.timings;
    rec.timings[s.source] = `lock ${t.lockMs} pull ${t.pullMs} plan ${t.planMs} apply ${t.applyMs} embed ${t.embedMs} total ${t.totalMs}${s.mode ? ` ${s.mode}` : ''}`;
    // Never more blobs read than pages that differed: written pages are not redone.
    if (needed[s.source] !== undefined && s.counts.read > needed[s.source]) {
      v.add(`${s.source}: a run read ${s.counts.read} blobs where only ${needed[s.source]} pages differed from the target`);
    }
  }
  return rec;
}

/** Adds a run's outcomes to the totals. */
export function countStatuses(t: Report['totals'], rec: RunRecord): void {
  for (const st of Object.values(rec.statuses)) {
    if (st.startsWith('partial')) t.partial++;
    if (st === 'partial/timeout') t.partialTimeout++;
    if (st === 'partial/signal') t.partialSignal++;
    if (st.startsWith('failed')) t.failed++;
    if (st === 'locked') t.locked++;
  }
}
