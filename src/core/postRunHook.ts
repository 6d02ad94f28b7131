import { spawn } from 'node:child_process';
import { errorMessage } from '../errors.js';
import type { SourceResult } from './result.js';

export interface PostRunHook {
  /** A shell command line (run with `sh -c`), e.g. `/usr/local/bin/reindex --from-stdin`. */
  command: string;
  /** Most milliseconds the hook may run before it is stopped (SIGTERM, then SIGKILL 2 s later). */
  timeoutMs: number;
  /** Stops a running hook early (brainsync itself was told to stop). */
  signal?: AbortSignal;
}

export type HookOutcome =
  | { ran: false; why: string }
  | { ran: true; ok: true; ms: number }
  | { ran: true; ok: false; ms: number; problem: string };

/** The document a hook reads on stdin: the run's result with the paths it changed. */
export interface HookDocument {
  hook: 'brainsync.on-result';
  version: string;
  source: string;
  status: SourceResult['status'];
  reason: SourceResult['reason'] | null;
  message: string | null;
  runId: string | null;
  bookmarkFrom: string | null;
  target: string | null;
  counts: SourceResult['counts'];
  durationMs: number;
  changes: NonNullable<SourceResult['changes']>;
}

/** A run changed something when it committed a page write, delete or rename (a partial run may have). */
export function changedSomething(r: SourceResult): boolean {
  const c = r.changes;
  return c !== undefined && c.added.length + c.changed.length + c.deleted.length + c.renamed.length > 0;
}

export function hookDocument(r: SourceResult, version: string): HookDocument {
  return {
    hook: 'brainsync.on-result', version, source: r.source, status: r.status, reason: r.reason ?? null,
    message: r.message ?? null, runId: r.runId ?? null, bookmarkFrom: r.bookmarkFrom, target: r.target,
    counts: r.counts, durationMs: r.timings.totalMs,
    changes: r.changes ?? { added: [], changed: [], deleted: [], renamed: [] },
  };
}

const killGraceMs = 2_000;

/**
 * Runs the post-run hook for one source's result, outside the source's lock. Never throws:
 * a hook that fails, hangs or cannot start is an outcome to log, never a reason to fail the
 * sync. Its stdout and stderr go to brainsync's stderr (stdout is the `--json` result's).
 */
export function runPostRunHook(hook: PostRunHook, result: SourceResult, version: string): Promise<HookOutcome> {
  if (!changedSomething(result)) return Promise.resolve({ ran: false, why: 'the run changed nothing' });
  if (hook.signal?.aborted) return Promise.resolve({ ran: false, why: 'brainsync was told to stop' });
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  return new Promise((settle) => {
    let settled = false;
    const resolve = (o: HookOutcome) => {
      if (!settled) settle(o);
      settled = true;
    };
    const child = spawn('sh', ['-c', hook.command], {
      // Both to brainsync's stderr: its stdout carries the --json result, one JSON document.
      stdio: ['pipe', 2, 2],
      detached: true,
      env: { ...process.env, BRAINSYNC_SOURCE: result.source, BRAINSYNC_STATUS: result.status },
    });
    let problem: string | null = null;
    const timers: NodeJS.Timeout[] = [];
    const stop = (why: string) => {
      problem ??= why;
      signalGroup(child.pid, 'SIGTERM');
      timers.push(setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs).unref());
    };
    timers.push(setTimeout(() => stop(`ran past its ${hook.timeoutMs / 1000} s limit and was stopped`), hook.timeoutMs));
    const onAbort = () => stop('stopped because brainsync was told to stop');
    hook.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      problem ??= `could not start: ${errorMessage(err)}`;
      if (child.pid === undefined) {
        for (const t of timers) clearTimeout(t);
        resolve({ ran: true, ok: false, ms: ms(), problem });
      }
    });
    // A hook that does not read its stdin closes the pipe: that is its business, not an error.
    const stdin = child.stdin!; // stdio[0] is 'pipe'
    stdin.on('error', () => {});
    stdin.end(JSON.stringify(hookDocument(result, version)) + '\n');
    child.on('close', (code, sig) => {
      for (const t of timers) clearTimeout(t);
      // A stopped hook's leader is gone; whatever it started and left behind (a script that
      // ignores SIGTERM under `sh -c`) must not outlive it.
      if (problem) signalGroup(child.pid, 'SIGKILL');
      hook.signal?.removeEventListener('abort', onAbort);
      if (!problem && code !== 0) problem = sig ? `was killed by ${sig}` : `exited with status ${code}`;
      resolve(problem ? { ran: true, ok: false, ms: ms(), problem } : { ran: true, ok: true, ms: ms() });
    });
  });
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}
