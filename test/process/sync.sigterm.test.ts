import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type BackendName, type TestBrain } from '../helpers/brains.js';
import { dirLockPath } from '../../src/locks/dirLock.js';
import {
  bookmark, brainPages, countPages, describeRun, killAllCli, pgQuery, processGroupMembers, processGroupOf,
  processesMatching, query, resultOf, runCli, runsOf, sendSignal, sleep, startCli, waitForExit, waitForPages,
  waitForPhase, waitUntil, type CliProcess,
} from '../helpers/cli.js';
import {
  brainWithSource, corpusPages, killRemoteProcesses, makeCorpus, makeSshRemote, processBrain, removeTemps, type Corpus,
} from './fixtures.js';

const corpora = new Map<BackendName, Corpus>();
beforeAll(async () => {
  for (const b of backends()) corpora.set(b, await makeCorpus(corpusPages[b], 6));
});
afterAll(removeTemps);
afterEach(async () => {
  await killAllCli();
  await killRemoteProcesses();
});

/** No lock is left: no row in sync_locks, and for PGLite no directory lock file. */
async function expectUnlocked(brain: TestBrain): Promise<void> {
  if (brain.target.kind === 'pglite') expect(existsSync(dirLockPath(brain.arg)), 'PGLite lock file').toBe(false);
  expect(await query(brain, 'select name, holder_pid from sync_locks')).toEqual([]);
}

/** Waits until the run is importing and has written pages (Postgres: counted; PGLite: see below). */
async function waitMidImport(brain: TestBrain, run: CliProcess): Promise<void> {
  if (brain.target.kind === 'postgres') {
    await waitForPages(brain, 'notes', 300, { alive: run });
    return;
  }
  // A PGLite brain cannot be read while the CLI holds it. The corpus takes ~7 s to import;
  // two seconds into the apply phase is mid-import, which the test checks afterwards
  // (some pages written, not all).
  await waitForPhase(run, 'notes', 'apply');
  await sleep(2000);
}

describe.each(backends())('SIGTERM on %s', (backend) => {
  it('mid-import: exits 75 within 5 s, releases the lock, records partial (signal), keeps pages and the bookmark', async () => {
    const corpus = corpora.get(backend)!;
    const brain = await brainWithSource(backend, 'notes', corpus.dir);
    const run = await startCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    await waitMidImport(brain, run);
    const before = backend === 'postgres' ? await countPages(brain, 'notes') : 1;
    const sentAt = sendSignal(run, 'SIGTERM');
    const r = await waitForExit(run, 30_000);
    const tookMs = Date.now() - sentAt;

    expect(r.code, describeRun(r)).toBe(75);
    expect(tookMs, describeRun(r)).toBeLessThan(5000);
    expect(resultOf(r)).toMatchObject({ status: 'partial', reason: 'signal' });
    await expectUnlocked(brain);
    const runs = await runsOf(brain, 'notes');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'partial', reason: 'signal', holder_pid: run.pid });
    expect(await bookmark(brain, 'notes')).toBeNull();
    const kept = await countPages(brain, 'notes');
    expect(kept).toBeGreaterThanOrEqual(before);
    expect(kept).toBeLessThan(corpus.pages.size);

    // The next run picks up where it stopped and reads only the rest.
    const next = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    expect(resultOf(next)).toMatchObject({ status: 'synced', counts: { read: corpus.pages.size - kept } });
    expect(await brainPages(brain, 'notes')).toEqual(corpus.pages);
  });

  it('mid-pull from a slow remote: exits 75 within 5 s, releases the lock, and leaves no git process behind', async () => {
    const remote = await makeSshRemote({ 'a.md': '# A\n\nText.\n', 'dir/b.md': '# B\n\nMore.\n' });
    const brain = await processBrain(backend);
    const added = await runCli(['sources', 'add', 'notes', remote.url], { db: brain, env: remote.fastEnv });
    expect(added.code, describeRun(added)).toBe(0);

    const slow = await remote.slow(60);
    const run = await startCli(['--json', 'sync', '--source', 'notes'], { db: brain, env: slow.env });
    await waitForPhase(run, 'notes', 'pull');
    // The fetch is under way once git has started the ssh stand-in (now sleeping).
    const sshPid = await waitUntil('git to start ssh', () => {
      const text = existsSync(slow.pidFile) ? readFileSync(slow.pidFile, 'utf8').trim() : '';
      return text ? Number(text.split('\n')[0]) : undefined;
    }, { alive: run, timeoutMs: 30_000 });
    const gitGroup = await processGroupOf(sshPid);
    expect((await processGroupMembers(gitGroup)).length, 'git, ssh and sleep are running').toBeGreaterThanOrEqual(2);

    const sentAt = sendSignal(run, 'SIGTERM');
    const r = await waitForExit(run, 30_000);
    expect(r.code, describeRun(r)).toBe(75);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(resultOf(r)).toMatchObject({ status: 'partial', reason: 'signal' });
    await expectUnlocked(brain);
    expect((await runsOf(brain, 'notes')).at(-1)).toMatchObject({ status: 'partial', reason: 'signal' });

    // git was killed with its whole process group: nothing of the fetch survives the CLI.
    await waitUntil('the fetch processes to be gone', async () => (await processGroupMembers(gitGroup)).length === 0, { timeoutMs: 5000 });
    expect(await processesMatching(remote.root)).toEqual([]);

    // The half-done mirror does not stand in the way of the next run.
    const next = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain, env: remote.fastEnv });
    expect(next.code, describeRun(next)).toBe(0);
    expect(resultOf(next)).toMatchObject({ status: 'synced', counts: { imported: 2 } });
  });
});

describe.runIf(backends().includes('postgres'))('the same SIGTERM delivered twice', () => {
  it('counts once, as when timeout(1) signals the command and then its process group: results, release, exit 75', async () => {
    const corpus = corpora.get('postgres')!;
    const brain = await brainWithSource('postgres', 'notes', corpus.dir);
    const run = await startCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    await waitMidImport(brain, run);
    sendSignal(run, 'SIGTERM');
    // A moment later, as the group delivery comes: late enough to be a separate delivery,
    // early enough that the run is still stopping.
    await sleep(10);
    const secondSent = !run.done();
    if (secondSent) process.kill(run.pid, 'SIGTERM');
    const r = await waitForExit(run, 30_000);
    expect(secondSent, 'the second SIGTERM reached the CLI while it was stopping').toBe(true);
    expect(r.code, describeRun(r)).toBe(75);
    expect(r.stderr).not.toMatch(/second signal/);
    expect(resultOf(r)).toMatchObject({ status: 'partial', reason: 'signal' });
    await expectUnlocked(brain);
  });
});

describe.runIf(backends().includes('postgres'))('a second SIGTERM', () => {
  it('makes the CLI exit at once (143) while the first one is still waiting to clean up', async () => {
    const corpus = corpora.get('postgres')!;
    const brain = await brainWithSource('postgres', 'notes', corpus.dir);
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'notes', 300, { alive: run });

    // Hold the source's lock guard, as a takeover does: both workers' next fenced writes wait
    // on it, and so would the run's lock release, so the graceful stop after the first SIGTERM
    // cannot finish while we hold it.
    const blocker = new pg.Client({ connectionString: brain.arg });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`select pg_advisory_xact_lock(${0x62736c6b}, hashtext('notes'))`);
      // Both workers are parked on their fence (and nothing of the run is in flight that a
      // signal could cancel).
      await waitUntil('both import workers to wait on the lock guard', async () => {
        // (From another connection: inside a transaction, pg_stat_activity is a frozen snapshot.)
        const r = await pgQuery(
          brain,
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike '%pg_advisory_xact_lock_shared%'`,
        );
        return r.rows[0].n >= 2;
      }, { alive: run, timeoutMs: 20_000 });
      sendSignal(run, 'SIGTERM');
      await sleep(1500); // past the grace in which a repeat counts as the same signal
      expect(run.done(), `the first SIGTERM could not finish its cleanup\n${describeRun(run)}`).toBe(false);

      const secondAt = sendSignal(run, 'SIGTERM');
      const r = await waitForExit(run, 10_000);
      expect(r.code, describeRun(r)).toBe(143);
      // At once: the second signal waits for nothing but its best-effort lock release, which
      // is bounded by a 2 s last-resort timer (here the release waits on our guard).
      expect(Date.now() - secondAt).toBeLessThan(3500);
      expect(r.stderr).toMatch(/second signal/);
    } finally {
      await blocker.query('rollback').catch(() => {});
      await blocker.end();
    }
    // Whatever it left, the next run gets the brain to the repository's state.
    const next = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    expect(resultOf(next).status).toBe('synced');
    expect(await brainPages(brain, 'notes')).toEqual(corpus.pages);
    expect(await pgQuery(brain, 'select count(*)::int as n from sync_locks').then((x) => x.rows[0].n)).toBe(0);
  });
});
