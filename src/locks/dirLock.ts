import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { unlinkSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockBusyError } from '../errors.js';
import { processAlive } from './processAlive.js';

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
}

export interface DirLock {
  path: string;
  holder: DirLockHolder;
  release(): Promise<void>;
}

const heartbeatMs = 10_000;
/** A holder on another host that has not touched the file for this long is gone. */
const staleMs = 60_000;

export function dirLockPath(dir: string): string {
  return `${dir.replace(/\/+$/, '')}.lock`;
}

export async function acquireDirLock(dir: string, command: string): Promise<DirLock> {
  const path = dirLockPath(dir);
  const holder: DirLockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, holder)) return startHeartbeat(path, holder);
    const current = await readHolder(path);
    if (current === 'missing') continue;
    if (await holderAlive(path, current)) throw busy(dir, current);
    await takeOver(path, current);
  }
  throw new LockBusyError(`could not lock the brain at ${dir}: another process keeps taking it. Try again.`);
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

async function holderAlive(path: string, holder: DirLockHolder | null): Promise<boolean> {
  if (holder && holder.host === hostname()) return processAlive(holder.pid);
  try {
    const { mtimeMs } = await stat(path);
    return Date.now() - mtimeMs < staleMs;
  } catch {
    return false;
  }
}

/**
 * Moves the stale file aside rather than deleting it, then checks that what moved is the file
 * judged stale: if a racing process had already replaced it with a live lock, put that back.
 */
async function takeOver(path: string, stale: DirLockHolder | null): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  const same = moved === null || moved === 'missing' ? stale === null : moved.token === stale?.token;
  if (!same) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
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

function busy(dir: string, holder: DirLockHolder | null): LockBusyError {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host} (${holder.command || 'brainsync'}) since ${holder.since}`
    : 'another process';
  return new LockBusyError(
    `the brain at ${dir} is in use by ${who}. PGLite allows one process at a time: ` +
      'wait for it to finish (cron: the next wave will retry), or use Postgres for concurrent runs.',
  );
}
