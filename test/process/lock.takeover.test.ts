import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import { dirLockPath } from '../../src/locks/dirLock.js';
import {
  brainPages, countPages, describeRun, jsonOf, killAllCli, lockRow, pgQuery, processRunning, resultOf, runCli,
  sendSignal, sleep, startCli, waitForExit, waitForPages, waitForPhase, waitUntil, type CliProcess,
} from '../helpers/cli.js';
import { brainWithSource, corpusPages, makeCorpus, removeTemps, type Corpus } from './fixtures.js';

let corpus: { postgres?: Corpus; pglite?: Corpus } = {};
beforeAll(async () => {
  corpus = {
    postgres: backends().includes('postgres') ? await makeCorpus(corpusPages.postgres, 3) : undefined,
    pglite: await makeCorpus(corpusPages.pglite, 3),
  };
});
afterAll(removeTemps);
afterEach(killAllCli);

/** Starts a sync and SIGKILLs it once the import has written at least `after` pages (Postgres). */
async function killMidImport(brain: TestBrain, args: string[], after = 400): Promise<CliProcess> {
  const holder = await startCli(['sync', '--source', 'notes', ...args], { db: brain });
  await waitForPages(brain, 'notes', after, { alive: holder });
  sendSignal(holder, 'SIGKILL');
  const r = await waitForExit(holder);
  expect(r.signal, describeRun(r)).toBe('SIGKILL');
  expect(await processRunning(holder.pid)).toBe(false);
  return holder;
}

/** The brain holds exactly the repository's markdown files at HEAD: none lost, none twice, none stale. */
async function expectConverged(brain: TestBrain, c: Corpus): Promise<void> {
  const pages = await brainPages(brain, 'notes');
  expect(await countPages(brain, 'notes')).toBe(c.pages.size);
  expect(pages).toEqual(c.pages);
}

describe.runIf(backends().includes('postgres'))('a sync killed with SIGKILL on Postgres', () => {
  it('leaves its lock row, which the next plain run takes over once the TTL has passed, without any flag', async () => {
    const c = corpus.postgres!;
    const brain = await brainWithSource('postgres', 'notes', c.dir);
    const holder = await killMidImport(brain, ['--lock-ttl', '6s']);
    const row = await lockRow(brain, 'notes');
    expect(row?.holder_pid).toBe(holder.pid);

    // Real time, no backdating: with --lock-ttl 6s the row expires at most 6 s after the last beat.
    await waitUntil('the dead holder\'s lock to expire', async () => (await lockRow(brain, 'notes'))?.expired, { timeoutMs: 20_000, intervalMs: 200 });
    expect((await lockRow(brain, 'notes'))?.holder_pid, 'an expired row stays until a run takes it over').toBe(holder.pid);
    const before = await countPages(brain, 'notes');
    const next = await runCli(['--json', 'sync', '--source', 'notes', '--lock-ttl', '6s'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    const r = resultOf(next);
    expect(r.status).toBe('synced');
    // Pages the killed run committed are not read again.
    expect(r.counts.read).toBe(c.pages.size - before);
    expect(await lockRow(brain, 'notes')).toBeNull();
    await expectConverged(brain, c);
  });

  it('is locked for a plain run until its lock expires; after that (backdated) a plain run takes over', async () => {
    const c = corpus.postgres!;
    const brain = await brainWithSource('postgres', 'notes', c.dir);
    const holder = await killMidImport(brain, []); // default TTL: 60 s

    const blocked = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    expect(blocked.code, describeRun(blocked)).toBe(75);
    const b = resultOf(blocked);
    expect(b.status).toBe('locked');
    expect(b.holder?.pid).toBe(holder.pid);

    // Instead of waiting a minute: the holder's last heartbeat and expiry were two minutes ago.
    await pgQuery(brain, `update sync_locks set heartbeat_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute' where name = 'notes'`);
    const next = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    expect(resultOf(next).status).toBe('synced');
    expect(await lockRow(brain, 'notes')).toBeNull();
    await expectConverged(brain, c);
  });

  it('is taken over at once by sync --break-lock, because its pid is dead on this host', async () => {
    const c = corpus.postgres!;
    const brain = await brainWithSource('postgres', 'notes', c.dir);
    const holder = await killMidImport(brain, []);
    const row = await lockRow(brain, 'notes');
    expect(row?.expired, 'the lock has not expired: only the dead pid justifies breaking it').toBe(false);

    const next = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    const doc = jsonOf(next);
    expect(doc.locks).toHaveLength(1);
    expect(doc.locks![0]).toMatchObject({ source: 'notes', verdict: 'broken' });
    expect(doc.locks![0].detail).toMatch(new RegExp(`pid ${holder.pid} on this host is gone`));
    expect(doc.sources[0].status).toBe('synced');
    expect(await lockRow(brain, 'notes')).toBeNull();
    await expectConverged(brain, c);
  });
});

describe('a sync killed with SIGKILL on PGLite', () => {
  it('leaves a lock file naming a dead pid; the next plain run takes it and the lock row over at once and converges', async () => {
    const c = corpus.pglite!;
    const brain = await brainWithSource('pglite', 'notes', c.dir);
    const holder = await startCli(['sync', '--source', 'notes', '--lock-ttl', '6s'], { db: brain });
    await waitForPhase(holder, 'notes', 'apply');
    // The brain cannot be read while the CLI holds it: give the import (~7 s for the corpus)
    // two seconds, then check below that the kill did land mid-import.
    await sleep(2000);
    sendSignal(holder, 'SIGKILL');
    expect((await waitForExit(holder)).signal).toBe('SIGKILL');
    const lockFile = dirLockPath(brain.arg);
    expect(existsSync(lockFile)).toBe(true);
    expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(holder.pid);

    // The next plain run opens the brain (taking the dead holder's lock file over) and, since
    // nobody else can have a PGLite brain open, also takes over the dead run's lock row at
    // once: no TTL to wait for, no flag.
    const r = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    const res = resultOf(r);
    expect(r.stderr, describeRun(r)).not.toMatch(/in use by/);
    expect(res.status, describeRun(r)).toBe('synced');
    expect(r.code, describeRun(r)).toBe(0);
    // The kill landed mid-import, and what the killed run committed is not read again.
    const written = c.pages.size - res.counts.read;
    expect(written, describeRun(r)).toBeGreaterThan(0);
    expect(written, describeRun(r)).toBeLessThan(c.pages.size);
    expect(existsSync(lockFile)).toBe(false);
    await expectConverged(brain, c);
  });
});
