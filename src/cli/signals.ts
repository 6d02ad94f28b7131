import { RunStopped } from '../core/abort.js';
import { ExitCode } from '../errors.js';

export interface ProcessStop {
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | null;
  dispose(): void;
}

const stopSignals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Signals this soon after the first are the same request: timeout(1) sends its SIGTERM to the
 * command and then to the whole process group, so brainsync often receives it twice at once.
 */
export const repeatGraceMs = 1000;

/**
 * The first SIGTERM/SIGINT/SIGHUP aborts every running source (they stop, keep their work,
 * release their locks and report). A second one, a moment later, runs `onSecond` (best-effort
 * lock release) and exits at once.
 */
export function watchProcessSignals(onSecond: (sig: NodeJS.Signals) => Promise<void>): ProcessStop {
  const ctl = new AbortController();
  let first: NodeJS.Signals | null = null;
  let firstAt = 0;
  const handler = (sig: NodeJS.Signals) => {
    if (!first) {
      first = sig;
      firstAt = Date.now();
      ctl.abort(new RunStopped('signal', `received ${sig}`));
      return;
    }
    if (Date.now() - firstAt < repeatGraceMs) return;
    const code = signalExitCode(sig);
    const bail = setTimeout(() => process.exit(code), 2000);
    void onSecond(sig).finally(() => {
      clearTimeout(bail);
      process.exit(code);
    });
  };
  for (const s of stopSignals) process.on(s, handler);
  return {
    signal: ctl.signal,
    received: () => first,
    dispose: () => stopSignals.forEach((s) => process.removeListener(s, handler)),
  };
}

/** The conventional exit code of a command a signal interrupted before it had any result. */
export function signalExitCode(sig: NodeJS.Signals): number {
  if (sig === 'SIGHUP') return ExitCode.sighup;
  if (sig === 'SIGINT') return ExitCode.sigint;
  return ExitCode.sigterm;
}
