import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dirLockPath } from '../../src/locks/dirLock.js';
import { processStartTime } from '../../src/locks/processStartTime.js';
import type { TestBrain } from '../helpers/brains.js';
import { brainPages, describeRun, killAllCli, runCli, startCli, waitForExit, waitForPhase } from '../helpers/cli.js';
import { createRepo } from '../helpers/gitRepo.js';
import { note } from '../helpers/sync.js';
import { removeTemps, useOneNoteBrains } from './fixtures.js';

/**
 * A PGLite brain's holder that went silent but still runs on this host (stopped with ^Z,
 * blocked) must not have the brain opened beside it: when it goes on, its writes land over the
 * new holder's. Past the limit it is killed first, then taken over.
 */

const children: ChildProcess[] = [];
afterEach(() => {
  killAllCli();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function exitOf(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

async function backdate(path: string, seconds: number): Promise<void> {
  const t = new Date(Date.now() - seconds * 1000);
  await utimes(path, t, t);
}

describe('a PGLite brain held by a process that still runs here', () => {
  afterAll(removeTemps);
  const brain = useOneNoteBrains('pglite');

  /** A lock file naming a live process (`sleep`) with its real start time, or a wrong one. */
  async function lockHeldBy(b: TestBrain, ageSeconds: number, started?: string): Promise<ChildProcess> {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    const holder = { pid, host: hostname(), command: 'brainsync sync --all', since: new Date().toISOString(), token: 'paused', started: started ?? processStartTime(pid) };
    await writeFile(dirLockPath(b.arg), JSON.stringify(holder) + '\n');
    await backdate(dirLockPath(b.arg), ageSeconds);
    return child;
  }

  it('waits for it while it beats, and past the limit kills it before taking the brain over', async () => {
    const b = await brain();
    const beating = await lockHeldBy(b, 5);
    const busy = await runCli(['sources', 'list', '--wait', '0'], { db: b });
    expect(busy.code, describeRun(busy)).toBe(75);
    expect(beating.exitCode).toBeNull();
    beating.kill('SIGKILL');

    const silent = await lockHeldBy(b, 120);
    const list = await runCli(['sources', 'list'], { db: b });
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stderr).toMatch(/took over the lock on the brain at .*: no heartbeat for 1[2-9]\ds, whatever its pid says; it was still running here, so it was killed first/);
    expect(await exitOf(silent)).toBe('SIGKILL');
    expect(existsSync(dirLockPath(b.arg)), 'the lock is released again').toBe(false);
  });

  it('takes over without killing anything when the pid now names another process', async () => {
    const b = await brain();
    const other = await lockHeldBy(b, 120, '1');
    const list = await runCli(['sources', 'list'], { db: b });
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stderr).toMatch(/took over the lock on the brain at .*: its pid \d+ on this host is no longer that process/);
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
  });

  it('a sync stopped with SIGSTOP and taken over is killed, and cannot overwrite the run that took over', async () => {
    const big = await createRepo();
    for (let i = 0; i < 600; i++) await big.write(`n${i}.md`, note(`Note ${i}`, `body ${i} `.repeat(200)));
    await big.commit('many');
    const b = await brain(); // its one-note source `notes` is the one the second sync writes
    const add = await runCli(['sources', 'add', 'big', big.dir], { db: b });
    expect(add.code, describeRun(add)).toBe(0);
    const first = await startCli(['sync', '--source', 'big', '--no-embed'], { db: b });
    await waitForPhase(first, 'big', 'apply');
    process.kill(first.pid, 'SIGSTOP');
    // As if it had been stopped for two minutes (instead of waiting for them).
    await backdate(dirLockPath(b.arg), 120);
    const second = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: b });
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toMatch(/it was still running here, so it was killed first/);
    const stopped = await waitForExit(first, 10_000);
    expect(stopped.signal).toBe('SIGKILL');
    expect([...(await brainPages(b, 'notes')).keys()]).toEqual(['a.md']);
    const verify = await runCli(['verify', '--source', 'notes'], { db: b });
    expect(verify.code, describeRun(verify)).toBe(0);
    await big.cleanup();
  });
});
