import { BrainsyncError, ExitCode } from '../errors.js';

export type StopReason = 'timeout' | 'signal' | 'lock_lost';

/** The reason a run's signal aborted with; a run that catches it ends `partial`. */
export class RunStopped extends BrainsyncError {
  override readonly code = 'stopped';
  override readonly exitCode = ExitCode.temporary;
  constructor(readonly reason: StopReason, message: string) {
    super(message);
  }
}

export function stopReasonOf(signal: AbortSignal | undefined): StopReason | null {
  const r: unknown = signal?.aborted ? signal.reason : null;
  return r instanceof RunStopped ? r.reason : signal?.aborted ? 'signal' : null;
}

export interface Budget {
  /** Aborts with RunStopped('timeout') when the budget is used up: no new work starts after it. */
  signal: AbortSignal;
  /**
   * Aborts a little later (the grace): a write batch already under way when the budget runs
   * out may still commit, because batches are sized to end before the deadline and a rolled
   * back batch is lost work. Signals and a lost lock still stop writes at once.
   */
  writeSignal: AbortSignal;
  /** Milliseconds until the deadline (Infinity without a budget; negative once passed). */
  timeLeft(): number;
  dispose(): void;
}

/** The grace a write under way gets after the deadline: 10% of the budget, 1 to 15 s. */
export function writeGraceMs(ms: number): number {
  return Math.min(15_000, Math.max(1_000, Math.round(ms / 10)));
}

/** A run's time budget (DESIGN §2: it covers every phase). */
export function budgetController(ms: number | undefined): Budget {
  const soft = new AbortController();
  const hard = new AbortController();
  if (!ms) return { signal: soft.signal, writeSignal: hard.signal, timeLeft: () => Infinity, dispose() {} };
  const deadline = performance.now() + ms;
  const stop = () => new RunStopped('timeout', `time budget of ${Math.round(ms / 1000)}s used up`);
  const timers = [
    setTimeout(() => soft.abort(stop()), ms),
    setTimeout(() => hard.abort(stop()), ms + writeGraceMs(ms)),
  ];
  for (const t of timers) t.unref();
  return {
    signal: soft.signal,
    writeSignal: hard.signal,
    timeLeft: () => deadline - performance.now(),
    dispose: () => timers.forEach(clearTimeout),
  };
}

/** Gives timers (budget, heartbeat) and signal handlers a turn inside CPU-heavy loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
