import { existsSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dirLockPath } from '../../src/locks/dirLock.js';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, killAllCli, resultOf, runCli } from '../helpers/cli.js';
import { removeTemps, useOneNoteBrains } from './fixtures.js';

/**
 * What a brainsync killed with -9 leaves once its pid has been reused: a lock file naming a
 * live process on this host that is not brainsync (here: the test runner itself), last
 * touched `ageSeconds` ago (backdated instead of waiting).
 */
async function lockHeldByReusedPid(brain: TestBrain, ageSeconds: number): Promise<void> {
  const path = dirLockPath(brain.arg);
  const holder = { pid: process.pid, host: hostname(), command: 'brainsync sync --all', since: '2026-01-01T00:00:00.000Z', token: 'killed' };
  await writeFile(path, JSON.stringify(holder) + '\n');
  const touched = new Date(Date.now() - ageSeconds * 1000);
  await utimes(path, touched, touched);
}

describe('a PGLite brain locked by a killed holder whose pid now belongs to another process', () => {
  afterEach(killAllCli);
  afterAll(removeTemps);
  const brain = useOneNoteBrains('pglite');

  it('is taken over by any command once its heartbeat is older than the TTL, which says what it took over', async () => {
    const b = await brain();
    await lockHeldByReusedPid(b, 120);
    const list = await runCli(['--json', 'sources', 'list'], { db: b });
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stderr).toMatch(new RegExp(`took over the lock on the brain at ${b.arg}, held by pid ${process.pid} on .*: no heartbeat for 1[2-9]\\ds`));
    expect(existsSync(dirLockPath(b.arg)), 'the lock is released again').toBe(false);

    await lockHeldByReusedPid(b, 120);
    const sync = await runCli(['--json', 'sync', '--source', 'notes'], { db: b });
    expect(sync.code, describeRun(sync)).toBe(0);
    expect(resultOf(sync).status).toBe('synced');
  });

  it('is broken by sync --force-break-lock once two heartbeats are missed, printing what it broke; plain and --break-lock runs wait', async () => {
    const b = await brain();
    for (const flags of [[], ['--break-lock']]) {
      await lockHeldByReusedPid(b, 30);
      const r = await runCli(['sync', '--source', 'notes', ...flags], { db: b });
      expect(r.code, describeRun(r)).toBe(75);
      expect(r.stderr).toMatch(new RegExp(`in use by pid ${process.pid} on .*last heartbeat 3\\ds ago.*20s with sync --force-break-lock`));
    }
    await lockHeldByReusedPid(b, 30);
    const forced = await runCli(['--json', 'sync', '--source', 'notes', '--force-break-lock'], { db: b });
    expect(forced.code, describeRun(forced)).toBe(0);
    expect(forced.stderr).toMatch(new RegExp(`broke the lock on the brain at ${b.arg}, held by pid ${process.pid} on .*brainsync sync --all.*no heartbeat for 3\\ds`));
    expect(resultOf(forced).status).toBe('synced');
    expect(existsSync(dirLockPath(b.arg))).toBe(false);
  });
});
