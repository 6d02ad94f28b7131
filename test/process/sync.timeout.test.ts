import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type BackendName, type TestBrain } from '../helpers/brains.js';
import {
  bookmark, brainPages, describeRun, killAllCli, lockRow, query, resultOf, runCli, runsOf, type SyncSourceJson,
} from '../helpers/cli.js';
import {
  brainWithSource, killRemoteProcesses, makeCorpus, makeHistory, makeSshRemote, processBrain, removeTemps, setBranch,
  type Corpus, type History,
} from './fixtures.js';

/**
 * 3,000 pages take ~3.5 s to import on Postgres and ~7 s on PGLite here, so these budgets stop
 * every scenario two to five times before it converges. (The budget starts once the source's
 * lock is taken, after the brain is open; PGLite runs spend ~1.5 s opening it, so a longer
 * budget there keeps the number of runs, and the test's time, down.)
 */
const PAGES = 3000;
const budget: Record<BackendName, string> = { postgres: '1', pglite: '3' };
const MAX_RUNS = 30;

let corpus: Corpus;
let history: History;
beforeAll(async () => {
  corpus = await makeCorpus(PAGES, 8);
  history = await makeHistory(corpus);
});
afterAll(removeTemps);
afterEach(async () => {
  await killAllCli();
  await killRemoteProcesses();
});

/** Target paths whose blob the brain does not hold yet: the imports still to do. */
function remainingImports(brain: Map<string, string>, target: Map<string, string>): number {
  let n = 0;
  for (const [path, oid] of target) if (brain.get(path) !== oid) n++;
  return n;
}

/**
 * Runs `sync ... --timeout T` until it is synced. Checks that the first run is stopped by the
 * budget, that every stopped run is partial (timeout, exit 75), leaves the bookmark where it
 * was and committed pages if it reached the import, that no run reads a page the brain already holds at the target's blob, and that the
 * brain ends equal to the target commit.
 */
async function syncUntilDone(
  brain: TestBrain,
  args: string[],
  opts: { timeout: string; bookmarkBefore: string | null; target: string; diffImports?: number; diffDeletes?: number },
): Promise<SyncSourceJson[]> {
  const results: SyncSourceJson[] = [];
  for (let i = 0; ; i++) {
    expect(i, `not converged after ${MAX_RUNS} runs`).toBeLessThan(MAX_RUNS);
    const remaining = remainingImports(await brainPages(brain, 'notes'), corpus.pages);
    const r = await runCli(['--json', 'sync', '--source', 'notes', ...args, '--timeout', opts.timeout], { db: brain });
    const res = resultOf(r);
    results.push(res);
    const ctx = `run ${i + 1}, ${remaining} imports left before it\n${describeRun(r)}`;
    if (i === 0) expect(res.status, `the first run must run out of time\n${ctx}`).toBe('partial');
    if (res.status === 'partial') {
      expect(res.reason, ctx).toBe('timeout');
      expect(r.code, ctx).toBe(75);
      expect(await bookmark(brain, 'notes'), ctx).toBe(opts.bookmarkBefore);
      // Never reads what an earlier run already wrote.
      expect(res.counts.read, ctx).toBeLessThanOrEqual(remaining);
      // A tight budget still makes progress: batches are sized to commit inside it, so every
      // wave that reached the import keeps some of its work.
      if (res.timings.applyMs > 0) {
        const after = remainingImports(await brainPages(brain, 'notes'), corpus.pages);
        expect(after < remaining || res.counts.deleted + res.counts.renamed > 0, `no progress\n${ctx}`).toBe(true);
      }
      continue;
    }
    expect(res.status, ctx).toBe('synced');
    expect(r.code, ctx).toBe(0);
    // Resume is cheap: the completing run reads exactly the pages not yet written, i.e. its
    // `read` plus the pages written by the runs before it is the whole planned import.
    expect(res.counts.read, ctx).toBe(remaining);
    expect(res.counts.imported, ctx).toBe(remaining);
    if (res.mode === 'diff') {
      // An incremental plan still lists every changed path; those already written are
      // skipped after one batched lookup, not read.
      expect(res.counts.skipped, ctx).toBe(opts.diffImports! - remaining);
      expect(res.counts.planned, ctx).toBe(opts.diffImports! + opts.diffDeletes!);
    }
    break;
  }
  expect(await brainPages(brain, 'notes')).toEqual(corpus.pages);
  expect(await bookmark(brain, 'notes')).toBe(opts.target);
  expect(await lockRow(brain, 'notes')).toBeNull();
  const runs = await runsOf(brain, 'notes');
  expect(runs.filter((x) => x.status === 'partial').every((x) => x.reason === 'timeout')).toBe(true);
  return results;
}

/** A brain whose source (own branch) is synced to the small base commit, then the branch moves to the big one. */
async function brainAtBase(backend: BackendName, branch: string): Promise<TestBrain> {
  await setBranch(corpus.dir, branch, history.base);
  const brain = await brainWithSource(backend, 'notes', corpus.dir, { branch });
  const first = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
  expect(first.code, describeRun(first)).toBe(0);
  expect(await bookmark(brain, 'notes')).toBe(history.base);
  await setBranch(corpus.dir, branch, history.full);
  return brain;
}

describe.each(backends())('a sync that runs out of its --timeout on %s', (backend) => {
  it('ends partial (timeout, exit 75) on a first sync, keeps its pages, and repeated runs converge', async () => {
    const brain = await brainWithSource(backend, 'notes', corpus.dir);
    const results = await syncUntilDone(brain, [], { timeout: budget[backend], bookmarkBefore: null, target: corpus.head });
    expect(results.length).toBeGreaterThan(1);
    expect(results.every((r) => r.mode === 'full')).toBe(true);
  });

  it('ends partial (timeout, exit 75) with --full, and repeated --full runs converge', async () => {
    const brain = await brainAtBase(backend, `full-${backend}`);
    const results = await syncUntilDone(brain, ['--full'], { timeout: budget[backend], bookmarkBefore: history.base, target: history.full });
    expect(results.every((r) => r.mode === 'full')).toBe(true);
    // The 20 pages the big commit deletes are gone, the 100 it rewrote are at their new blob.
    const left = await query<{ n: number }>(brain, `select count(*)::int as n from pages where path like 'old/%'`);
    expect(left[0].n).toBe(0);
  });

  it('ends partial (timeout, exit 75) on an incremental run from a real bookmark, and repeated runs converge', async () => {
    const brain = await brainAtBase(backend, `inc-${backend}`);
    const results = await syncUntilDone(brain, [], {
      timeout: budget[backend],
      bookmarkBefore: history.base,
      target: history.full,
      diffImports: history.diff.imports,
      diffDeletes: history.diff.deletes,
    });
    expect(results.every((r) => r.mode === 'diff'), results.map((r) => r.mode).join(',')).toBe(true);
    expect(results[0].counts.planned).toBe(history.diff.imports + history.diff.deletes);
  });
});

describe('a sync that runs out of its --timeout during the pull', () => {
  it('reports the time the pull took (timings.pullMs), not 0', async () => {
    const remote = await makeSshRemote({ 'a.md': '# A\n\nText.\n' });
    const brain = await processBrain('pglite');
    const added = await runCli(['sources', 'add', 'notes', remote.url], { db: brain, env: remote.fastEnv });
    expect(added.code, describeRun(added)).toBe(0);
    const slow = await remote.slow(60);
    const r = await runCli(['--json', 'sync', '--source', 'notes', '--timeout', '2s'], { db: brain, env: slow.env });
    expect(r.code, describeRun(r)).toBe(75);
    const result = resultOf(r);
    expect(result).toMatchObject({ status: 'partial', reason: 'timeout' });
    expect(result.message).toMatch(/stopped during pull/);
    // The budget ran out while git was fetching: nearly all of the 2 s went to the pull.
    expect(result.timings.pullMs, describeRun(r)).toBeGreaterThanOrEqual(1500);
    expect(result.timings.pullMs).toBeLessThanOrEqual(result.timings.totalMs);
  });

  it('spends one budget on a source, not one in the no-op check and another in the run', async () => {
    const remote = await makeSshRemote({ 'a.md': '# A\n\nText.\n' });
    const brain = await processBrain('pglite');
    const added = await runCli(['sources', 'add', 'notes', remote.url], { db: brain, env: remote.fastEnv });
    expect(added.code, describeRun(added)).toBe(0);
    const first = await runCli(['sync', '--source', 'notes'], { db: brain, env: remote.fastEnv });
    expect(first.code, describeRun(first)).toBe(0);
    // Synced, so the manifest's no-op check pulls first: the remote now hangs.
    const slow = await remote.slow(60);
    const r = await runCli(['--json', 'sync', '--source', 'notes', '--timeout', '5s'], { db: brain, env: slow.env });
    expect(r.code, describeRun(r)).toBe(75);
    expect(resultOf(r)).toMatchObject({ status: 'partial', reason: 'timeout' });
    // The check's pull used the 5 s; the run had none left (before: 5 s more, pulling again).
    expect(r.ms, describeRun(r)).toBeLessThan(9000);
  });
});
