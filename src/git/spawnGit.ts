import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { redactCredentials } from '../redact.js';
import { GitError, gitCommandName } from './GitError.js';

/** How long a child gets after SIGTERM before SIGKILL. Git removes its lock files on SIGTERM. */
export const KILL_GRACE_MS = 2000;
const STDERR_CAP = 64 * 1024;

/**
 * Variables git sets for hooks (`git rev-parse --local-env-vars`). Inherited from a parent git
 * (brainsync run from a hook), they would point every command at the wrong repository.
 */
const REPO_LOCAL_ENV = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_REPLACE_REF_BASE', 'GIT_PREFIX',
  'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR',
];

export interface SpawnGitOptions {
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** 'ignore' (default) gives git /dev/null, so nothing can wait on stdin. */
  stdin?: 'pipe' | 'ignore';
  /** SIGTERM → SIGKILL delay after an abort; default KILL_GRACE_MS. */
  killGraceMs?: number;
}

export interface GitExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface GitChild {
  readonly child: ChildProcess;
  readonly stdout: Readable;
  /** Present only with `stdin: 'pipe'`. */
  readonly stdin: Writable | null;
  /** The caller's arguments, without the `-c` prefix we add. */
  readonly args: string[];
  /**
   * Settles once the child is gone. Resolves with its exit status (non-zero included: the
   * caller decides what that means); rejects with the signal's reason when the signal aborted
   * (after the child has exited), or with a GitError when git could not be started.
   */
  readonly exited: Promise<GitExit>;
}

export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  // The child needs PATH, HOME, SSH agent etc.; only the repository-pinning variables go.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPO_LOCAL_ENV) delete env[name];
  return { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra };
}

/**
 * Spawns `git -c core.quotepath=off ...args` in `cwd`, asynchronously, without a shell.
 * The child leads its own process group, so aborting also kills what git started
 * (ssh, remote helpers, alias shells) and none of them keeps a pipe open.
 */
export function spawnGit(cwd: string, args: string[], opts: SpawnGitOptions = {}): GitChild {
  const { signal } = opts;
  signal?.throwIfAborted();
  const child = spawn('git', ['-c', 'core.quotepath=off', ...args], {
    cwd,
    env: gitEnv(opts.env),
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: true,
    windowsHide: true,
  });
  const exited = watchChild(child, cwd, args, signal, opts.killGraceMs ?? KILL_GRACE_MS);
  return { child, stdout: child.stdout!, stdin: child.stdin, args, exited };
}

function watchChild(child: ChildProcess, cwd: string, args: string[], signal: AbortSignal | undefined, graceMs: number): Promise<GitExit> {
  return new Promise<GitExit>((resolve, reject) => {
    let stderr = '';
    let settled = false;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (stderr.length < STDERR_CAP) stderr += s.slice(0, STDERR_CAP - stderr.length);
    });
    child.stdin?.on('error', () => {}); // EPIPE when git exits before reading all input
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      killGroup(child, 'SIGTERM');
      // The SIGKILL also runs after git is gone: what git started (an alias shell, ssh) may
      // ignore SIGTERM. Unref'd, so it never keeps the process alive on its own.
      setTimeout(() => killGroup(child, 'SIGKILL'), graceMs).unref();
      // Already exited, but something it started may hold stdout open: do not wait for 'close'.
      if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(signal!.reason));
    };
    let startFailed = false;
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // errors after start (kill failures) are not fatal
      startFailed = true; // node also emits 'close' (code -ENOENT); this handler settles instead
      void describeSpawnError(err, cwd).then((msg) =>
        finish(() => reject(new GitError(`git ${gitCommandName(args)} could not start: ${msg}`, args.map(redactCredentials), null, ''))),
      );
    });
    // 'exit' is enough after an abort: a grandchild might still hold stdout, and we do not wait for it.
    child.on('exit', () => {
      if (signal?.aborted) finish(() => reject(signal.reason));
    });
    child.on('close', (exitCode: number | null, sig: NodeJS.Signals | null) => {
      if (startFailed) return;
      if (signal?.aborted) finish(() => reject(signal.reason));
      else finish(() => resolve({ exitCode, signal: sig, stderr }));
    });
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/**
 * Signals git's whole process group. Safe after git itself has exited: the kernel does not
 * hand out a pid that is still some group's id, so `-pid` is ours or gone (ESRCH).
 */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  }
}

async function describeSpawnError(err: NodeJS.ErrnoException, cwd: string): Promise<string> {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    // Node cannot enter the working directory (or run git): name the directory, which is likelier.
    try {
      await access(cwd, fsConstants.X_OK);
    } catch {
      return `permission denied entering directory ${cwd}: let the user brainsync runs as read it (chmod/chown)`;
    }
    return err.message;
  }
  if (err.code !== 'ENOENT') return err.message;
  try {
    await access(cwd);
    return 'the git executable was not found on PATH';
  } catch {
    return `directory ${cwd} does not exist`;
  }
}
