import type { Db } from '../db/Db.js';
import type { SourceRow } from '../db/sourcesQueries.js';
import type { BlobReader } from '../git/BlobReader.js';
import type { SourceLock } from '../locks/sourceLock.js';
import type { ApplyOutcome } from './applyOutcome.js';

/** What the apply stage of one run works with. */
export interface RunContext {
  db: Db;
  source: SourceRow;
  lock: SourceLock;
  /** Budget ∪ process signals ∪ lost lock: checked before each batch starts. */
  signal: AbortSignal;
  /** The same with the budget's grace: what a batch under way runs with (see Budget.writeSignal). */
  writeSignal: AbortSignal;
  /** Milliseconds left in the run's budget (Infinity without one). */
  timeLeft(): number;
  reader: BlobReader;
  maxFileBytes: number;
  /** Import workers (1 on PGLite). */
  workers: number;
  /** The stage's outcome, which its batches (several at once) add to as they commit. */
  out: ApplyOutcome;
  /** n more planned files are done. */
  progress(n: number): void;
}
