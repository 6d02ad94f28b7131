import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDirLock, dirLockPath } from '../../src/locks/dirLock.js';
import { LockBusyError } from '../../src/errors.js';
import { makeTempDir } from '../helpers/gitRepo.js';

const sleepers: ChildProcess[] = [];
afterEach(() => {
  for (const c of sleepers.splice(0)) c.kill('SIGKILL');
});

/** A live process on this host that is not brainsync: what a dead holder's pid may be reused by. */
function unrelatedLivePid(): number {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  sleepers.push(child);
  return child.pid!;
}

/** A lock file naming `pid` on this host, last touched `ageSeconds` ago (backdated, no sleeping). */
async function writeLockFile(dir: string, pid: number, ageSeconds: number): Promise<void> {
  const holder = { pid, host: hostname(), command: 'brainsync sync --all', since: new Date(0).toISOString(), token: 'old' };
  await writeFile(dirLockPath(dir), JSON.stringify(holder));
  const touched = new Date(Date.now() - ageSeconds * 1000);
  await utimes(dirLockPath(dir), touched, touched);
}

describe('the PGLite directory lock', () => {
  it('lets one holder in, names it to the next, and frees the file on release', async () => {
    const dir = join(await makeTempDir(), 'brain');
    const lock = await acquireDirLock(dir, 'brainsync sync --all');
    const err = await acquireDirLock(dir, 'second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockBusyError);
    expect(String(err)).toMatch(new RegExp(`in use by pid ${process.pid} on ${hostname()} \\(brainsync sync --all\\) since`));
    await lock.release();
    const again = await acquireDirLock(dir, 'third');
    await again.release();
  });

  it('takes over a lock file whose holder on this host is dead', async () => {
    const dir = join(await makeTempDir(), 'brain');
    const stale = { pid: 999999, host: hostname(), command: 'killed', since: new Date(0).toISOString(), token: 'old' };
    await writeFile(dirLockPath(dir), JSON.stringify(stale));
    const lock = await acquireDirLock(dir, 'new holder');
    const now = JSON.parse(await readFile(dirLockPath(dir), 'utf8')) as { pid: number; token: string };
    expect(now.pid).toBe(process.pid);
    expect(now.token).not.toBe('old');
    await lock.release();
  });

  it('respects a live holder on another host until its file goes stale', async () => {
    const dir = join(await makeTempDir(), 'brain');
    const other = { pid: 1, host: 'elsewhere.invalid', command: 'remote', since: new Date().toISOString(), token: 'x' };
    await writeFile(dirLockPath(dir), JSON.stringify(other));
    await expect(acquireDirLock(dir, 'me')).rejects.toThrow(/in use by pid 1 on elsewhere.invalid/);
  });

  it('takes over a holder whose heartbeat is older than the TTL even though its pid is alive (reused), and says so', async () => {
    const dir = join(await makeTempDir(), 'brain');
    const pid = unrelatedLivePid();
    await writeLockFile(dir, pid, 120);
    const told: string[] = [];
    const lock = await acquireDirLock(dir, 'next wave', { onTakeOver: (m) => told.push(m) });
    expect(lock.holder.pid).toBe(process.pid);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(new RegExp(`took over the lock on the brain at ${dir}, held by pid ${pid} on .*: no heartbeat for 120s`));
    await lock.release();
  });

  it('keeps out everyone, --force-break-lock included, while a live holder beats; force alone takes over after two missed beats', async () => {
    const dir = join(await makeTempDir(), 'brain');
    const pid = unrelatedLivePid();
    await writeLockFile(dir, pid, 2);
    await expect(acquireDirLock(dir, 'plain')).rejects.toThrow(new RegExp(`in use by pid ${pid} on .*last heartbeat 2s ago`));
    await expect(acquireDirLock(dir, 'forced', { force: true })).rejects.toThrow(/--force-break-lock leaves it: its holder beat within the last 20s/);

    await writeLockFile(dir, pid, 30);
    await expect(acquireDirLock(dir, 'plain')).rejects.toThrow(/taken over once it has had no heartbeat for 60s \(20s with sync --force-break-lock\)/);
    const told: string[] = [];
    const lock = await acquireDirLock(dir, 'forced', { force: true, onTakeOver: (m) => told.push(m) });
    expect(told[0]).toMatch(new RegExp(`broke the lock on the brain at ${dir}, held by pid ${pid} .*no heartbeat for 30s`));
    await lock.release();
  });

  it('says why it took over a same-host holder whose pid is dead', async () => {
    const dir = join(await makeTempDir(), 'brain');
    await writeLockFile(dir, 999999, 0);
    const told: string[] = [];
    const lock = await acquireDirLock(dir, 'next', { onTakeOver: (m) => told.push(m) });
    expect(told[0]).toMatch(/held by pid 999999 .*: its pid 999999 on this host is gone/);
    await lock.release();
  });
});
