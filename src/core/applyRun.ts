import { ConnectionLostError, isConnectionError } from '../db/connectionErrors.js';
import type { Db } from '../db/Db.js';
import type { SourceRow } from '../db/sourcesQueries.js';
import type { BlobReader } from '../git/BlobReader.js';
import type { SourceLock } from '../locks/sourceLock.js';
import { RunStopped } from './abort.js';
import { applyPlan } from './applyPlan.js';
import { plannedCount, type Plan } from './plan.js';
import type { SourceResult } from './result.js';
import type { RunContext } from './runContext.js';
import type { SyncEvent, SyncOptions } from './syncSource.js';

export interface ApplyRunInput {
  db: Db;
  source: SourceRow;
  lock: SourceLock;
  signal: AbortSignal;
  writeSignal: AbortSignal;
  timeLeft: () => number;
  reader: BlobReader;
  opts: SyncOptions;
  result: SourceResult;
  plan: Plan;
  target: string;
  emit: (e: SyncEvent) => void;
}

/** Applies a run's plan, counting into its result; a stop names how far the import got. */
export async function applyRun(a: ApplyRunInput): Promise<void> {
  const total = plannedCount(a.plan);
  let done = 0;
  const ctx: RunContext = {
    db: a.db,
    source: a.source,
    lock: a.lock,
    signal: a.signal,
    writeSignal: a.writeSignal,
    timeLeft: a.timeLeft,
    reader: a.reader,
    maxFileBytes: a.opts.maxFileBytes,
    workers: a.db.capabilities.multiConnection ? a.opts.workers : 1,
    counts: a.result.counts,
    report: (failures) => a.result.failures.push(...failures.map(({ path, code, message }) => ({ path, code, message }))),
    progress: (n) => a.emit({ type: 'progress', source: a.source.name, done: (done += n), total }),
    rolledBack: (ms) => void (a.result.timings.rolledBackMs += Math.round(ms)),
  };
  try {
    await applyPlan(ctx, a.plan, a.target);
  } catch (err) {
    const signal = a.writeSignal.aborted ? a.writeSignal : a.signal;
    const stop = err instanceof RunStopped ? err : signal.aborted && signal.reason instanceof RunStopped ? signal.reason : null;
    const progress = `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files`;
    if (!stop && isConnectionError(err)) throw new ConnectionLostError(`import (${progress})`, err);
    if (!stop) throw signal.aborted ? signal.reason : err;
    throw new RunStopped(stop.reason, `${stop.message}; stopped during import (${progress})`);
  }
}
