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

/** An AbortController that aborts with RunStopped('timeout') after ms; disposable. */
export function budgetController(ms: number | undefined): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  if (!ms) return { signal: ctl.signal, dispose() {} };
  const timer = setTimeout(
    () => ctl.abort(new RunStopped('timeout', `time budget of ${Math.round(ms / 1000)}s used up`)),
    ms,
  );
  timer.unref();
  return { signal: ctl.signal, dispose: () => clearTimeout(timer) };
}

/** Gives timers (budget, heartbeat) and signal handlers a turn inside CPU-heavy loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
