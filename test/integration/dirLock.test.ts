import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDirLock, dirLockPath } from '../../src/locks/dirLock.js';
import { LockBusyError } from '../../src/errors.js';
import { makeTempDir } from '../helpers/gitRepo.js';

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
});
