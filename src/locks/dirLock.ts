import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { unlinkSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockBusyError } from '../errors.js';
import { endedOnThisHost } from './processAlive.js';
import { processStartTime } from './processStartTime.js';

/**
 * PGLite is one process at a time: a second process opening the same directory would corrupt
 * it. The guard is a file next to the directory, created atomically (write a temp file, then
 * link(2), which fails if the lock exists), with the holder's identity inside and its mtime
 * touched as a heartbeat.
 */
export interface DirLockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
  token: string;
  /** The holder's start time (processStartTime), where the host has /proc: tells a reused pid from the holder. */
  started?: string;
}

/** The brain is held by another live process (named, when its lock file could be read). */
export class BrainBusyError extends LockBusyError {
  constructor(
    message: string,
    readonly holder: DirLockHolder | null,
  ) {
    super(message);
  }
}

export interface DirLock {
  path: string;
  holder: DirLockHolder;
  release(): Promise<void>;
}

const heartbeatMs = 10_000;
/**
 * A holder that has not touched the file for this long is gone, whatever its pid says: after
 * a kill -9 the pid is eventually reused by an unrelated process, which must not keep the
 * brain locked (the same dead-pid-or-no-heartbeat rule as source locks).
 */
const staleMs = 60_000;
/**
 * --force-break-lock takes over a holder that has missed two heartbeats, live pid or not. One
 * that beat more recently is running: two processes in one PGLite directory corrupt it.
 */
const forceStaleMs = 2 * heartbeatMs;

export interface DirLockOptions {
  /** --force-break-lock: a holder two heartbeats silent is gone, whatever its pid says. */
  force?: boolean;
  /** Told, in words, whose lock was taken over and why. */
  onTakeOver?: (message: string) => void;
}

export function dirLockPath(dir: string): string {
  return `${dir.replace(/\/+$/, '')}.lock`;
}

export async function acquireDirLock(dir: string, command: string, opts: DirLockOptions = {}): Promise<DirLock> {
  const path = dirLockPath(dir);
  const holder: DirLockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    started: processStartTime(process.pid) ?? undefined,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, holder)) return startHeartbeat(path, holder);
    const current = await readHolder(path);
    if (current === 'missing') continue;
    const ageMs = await heartbeatAgeMs(path);
    let why = goneBecause(current, ageMs, opts.force ?? false);
    if (why === null) throw busy(dir, current, ageMs ?? 0, opts.force ?? false);
    // Still running here (stopped with ^Z, or blocked): opening the brain beside it would let it
    // overwrite this process's writes when it goes on. It is stopped for good first.
    if (current && liveHolder(current)) {
      if (!(await killHolder(current))) throw busy(dir, current, ageMs ?? 0, opts.force ?? false);
      why = `${why}; it was still running here, so it was killed first`;
    }
    if (await takeOver(path, current)) {
      opts.onTakeOver?.(`${opts.force ? 'broke' : 'took over'} the lock on the brain at ${dir}, held by ${describeHolder(current)}: ${why}`);
    }
  }
  throw new LockBusyError(`could not lock the brain at ${dir}: another process keeps taking it. Try again.`);
}

/** Whether a process that may be alive holds the brain's directory lock (read only; nothing is taken over). */
export async function dirLockHeld(dir: string): Promise<boolean> {
  const path = dirLockPath(dir);
  const holder = await readHolder(path);
  if (holder === 'missing') return false;
  return goneBecause(holder, await heartbeatAgeMs(path), false) === null;
}

async function tryCreate(path: string, holder: DirLockHolder): Promise<boolean> {
  const temp = `${path}.${holder.token}.tmp`;
  await writeFile(temp, JSON.stringify(holder) + '\n');
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function readHolder(path: string): Promise<DirLockHolder | 'missing' | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DirLockHolder;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return null; // unreadable: judged by its age alone
  }
}

/** Milliseconds since the holder last touched the lock file; null when the file is gone. */
async function heartbeatAgeMs(path: string): Promise<number | null> {
  try {
    return Math.max(0, Date.now() - (await stat(path)).mtimeMs);
  } catch {
    return null;
  }
}

/** Why the holder is gone (a dead pid here, or no heartbeat for long enough), or null when it may be alive. */
function goneBecause(holder: DirLockHolder | null, ageMs: number | null, force: boolean): string | null {
  if (ageMs === null) return 'its lock file was removed';
  if (holder && endedOnThisHost(holder.host, holder.pid)) return `its pid ${holder.pid} on this host is gone`;
  if (holder && holder.host === hostname() && holder.started && processStartTime(holder.pid) !== holder.started) {
    return `its pid ${holder.pid} on this host is no longer that process`;
  }
  if (ageMs >= (force ? forceStaleMs : staleMs)) return `no heartbeat for ${Math.round(ageMs / 1000)}s, whatever its pid says`;
  return null;
}

/** The holder is this host's process that took the lock, still there (its pid and start time match). */
function liveHolder(holder: DirLockHolder): boolean {
  return holder.host === hostname() && holder.started !== undefined && processStartTime(holder.pid) === holder.started;
}

/**
 * SIGKILL to a holder that went silent past the limit but still exists, then waits (up to
 * 5 s) until it is gone; false if it cannot be killed (another user's process) or lingers.
 */
async function killHolder(holder: DirLockHolder): Promise<boolean> {
  try {
    process.kill(holder.pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return false;
  }
  for (let waited = 0; waited < 5000; waited += 50) {
    if (processStartTime(holder.pid) !== holder.started) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * Moves the stale file aside rather than deleting it, then checks that what moved is the file
 * judged stale: if a racing process had already replaced it with a live lock, put that back.
 */
async function takeOver(path: string, stale: DirLockHolder | null): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return false;
  }
  const moved = await readHolder(aside);
  const same = moved === null || moved === 'missing' ? stale === null : moved.token === stale?.token;
  if (!same) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
  return same;
}

function startHeartbeat(path: string, holder: DirLockHolder): DirLock {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, heartbeatMs);
  timer.unref();
  // Last resort for exits that skip release (an uncaught error): remove the file if still ours.
  const onExit = () => releaseSync(path, holder.token);
  process.once('exit', onExit);
  return {
    path,
    holder,
    async release() {
      clearInterval(timer);
      process.removeListener('exit', onExit);
      const current = await readHolder(path);
      if (current && current !== 'missing' && current.token === holder.token) await unlink(path).catch(() => {});
    },
  };
}

function releaseSync(path: string, token: string): void {
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as DirLockHolder;
    if (current.token === token) unlinkSync(path);
  } catch {
    // already gone
  }
}

export function describeHolder(holder: DirLockHolder | null): string {
  return holder ? `pid ${holder.pid} on ${holder.host} (${holder.command || 'brainsync'}) since ${holder.since}` : 'another process';
}

function busy(dir: string, holder: DirLockHolder | null, ageMs: number, force: boolean): BrainBusyError {
  const beat = `last heartbeat ${Math.round(ageMs / 1000)}s ago`;
  const advice = force
    ? `--force-break-lock leaves it: its holder beat within the last ${forceStaleMs / 1000}s, so it is running, ` +
      'and two processes in one PGLite directory would corrupt it. Wait for it to finish.'
    : 'Wait for it to finish (cron: the next wave will retry), or use Postgres for concurrent runs. ' +
      `If that process is gone, the lock is taken over once it has had no heartbeat for ${staleMs / 1000}s ` +
      `(${forceStaleMs / 1000}s with sync --force-break-lock).`;
  return new BrainBusyError(`the brain at ${dir} is in use by ${describeHolder(holder)}, ${beat}. PGLite allows one process at a time. ${advice}`, holder);
}
