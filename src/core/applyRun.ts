import { ConnectionLostError, isConnectionError } from '../db/connectionErrors.js';
import type { Db } from '../db/Db.js';
import type { SourceRow } from '../db/sourcesQueries.js';
import type { BlobReader } from '../git/BlobReader.js';
import type { SourceLock } from '../locks/sourceLock.js';
import { RunStopped } from './abort.js';
import { emptyApplyOutcome, type ApplyOutcome } from './applyOutcome.js';
import { applyPlan } from './applyPlan.js';
import { plannedCount, type Plan } from './plan.js';
import type { RunContext } from './runContext.js';

export interface ApplyRunInput {
  db: Db;
  source: SourceRow;
  lock: SourceLock;
  signal: AbortSignal;
  writeSignal: AbortSignal;
  timeLeft: () => number;
  reader: BlobReader;
  maxFileBytes: number;
  workers: number;
  plan: Plan;
  target: string;
  onProgress: (done: number, total: number) => void;
}

/**
 * Applies a run's plan. Never throws: what stopped it (with how far the import got) is the
 * outcome's `ended`, next to the counts of what committed before.
 */
export async function applyRun(a: ApplyRunInput): Promise<ApplyOutcome> {
  const total = plannedCount(a.plan);
  let done = 0;
  const out = emptyApplyOutcome();
  const ctx: RunContext = {
    db: a.db,
    source: a.source,
    lock: a.lock,
    signal: a.signal,
    writeSignal: a.writeSignal,
    timeLeft: a.timeLeft,
    reader: a.reader,
    maxFileBytes: a.maxFileBytes,
    workers: a.db.capabilities.multiConnection ? a.workers : 1,
    out,
    progress: (n) => a.onProgress((done += n), total),
  };
  try {
    await applyPlan(ctx, a.plan, a.target);
  } catch (err) {
    out.ended = describeEnd(err, a, `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files`);
  }
  return out;
}

function describeEnd(err: unknown, a: ApplyRunInput, progress: string): Error {
  const signal = a.writeSignal.aborted ? a.writeSignal : a.signal;
  const stop = err instanceof RunStopped ? err : signal.aborted && signal.reason instanceof RunStopped ? signal.reason : null;
  if (stop) return new RunStopped(stop.reason, `${stop.message}; stopped during import (${progress})`);
  if (isConnectionError(err)) return new ConnectionLostError(`import (${progress})`, err);
  const cause: unknown = signal.aborted ? signal.reason : err;
  return cause instanceof Error ? cause : new Error(String(cause));
}
