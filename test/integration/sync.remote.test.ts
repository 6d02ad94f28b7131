import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../src/core/syncSource.js';
import type { Db } from '../../src/db/Db.js';
import { findSource } from '../../src/db/sourcesQueries.js';
import { readStatusRows } from '../../src/db/statusQueries.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';
import { createRepo, makeTempDir, runTestGit, type TestRepo } from '../helpers/gitRepo.js';
import { add, note, pagesOf, sync } from '../helpers/sync.js';

describe.each(backends())('pulling and fetching on %s', (backend) => {
  let db: Db;
  let origin: TestRepo;
  beforeEach(async () => {
    db = await openTestDb(await freshBrain(backend));
    origin = await createRepo();
    await origin.write('a.md', note('A'));
    await origin.commit('first');
  });
  afterEach(async () => {
    await db.close();
    await origin.cleanup();
  });

  /** A local clone of the origin whose branch tracks it, with an identity to commit as. */
  async function cloneOrigin(): Promise<string> {
    const clone = await makeTempDir();
    await runTestGit(clone, ['clone', '-q', origin.dir, '.']);
    await runTestGit(clone, ['config', 'user.email', 't@example.com']);
    await runTestGit(clone, ['config', 'user.name', 'T']);
    return clone;
  }

  it('clones a clone-URL source into its own mirror and fetches new commits on the next run', async () => {
    await add(db, 'remote', `file://${origin.dir}`);
    const mirrors = await makeTempDir();
    const first = await sync(db, 'remote', { reposDir: mirrors });
    expect(first).toMatchObject({ status: 'synced', pull: 'fetched' });
    await origin.write('b.md', note('B', 'fetched later'));
    const head = await origin.commit('second');
    const second = await sync(db, 'remote', { reposDir: mirrors });
    expect(second).toMatchObject({ status: 'synced', target: head });
    expect(Object.keys(await pagesOf(db, 'remote'))).toEqual(['a.md', 'b.md']);
  });

  it('plans a never-fetched clone-URL source on --dry-run (fetching into its mirror) and writes nothing', async () => {
    await add(db, 'remote', `file://${origin.dir}`);
    const r = await sync(db, 'remote', { dryRun: true });
    expect(r).toMatchObject({ status: 'dry_run', pull: 'fetched' });
    expect(r.plan?.imports).toEqual(['a.md']);
    expect(await pagesOf(db, 'remote')).toEqual({});
  });

  it('leaves a local checkout alone on --dry-run', async () => {
    const clone = await makeTempDir();
    await runTestGit(clone, ['clone', '-q', origin.dir, '.']);
    await add(db, 'local', clone);
    const before = await runTestGit(clone, ['rev-parse', 'HEAD']);
    await origin.write('b.md', note('B'));
    await origin.commit('upstream change');
    const r = await sync(db, 'local', { dryRun: true });
    expect(r).toMatchObject({ status: 'dry_run', pull: 'skipped' });
    expect(await runTestGit(clone, ['rev-parse', 'HEAD'])).toBe(before);
  });

  it('fast-forwards a local clone from its upstream, and reports a diverged one without forcing it', async () => {
    const clone = await cloneOrigin();
    await add(db, 'local', clone);
    await sync(db, 'local');
    await origin.write('b.md', note('B'));
    await origin.commit('upstream change');
    const pulled = await sync(db, 'local');
    expect(pulled.pull).toBe('pulled');
    expect(Object.keys(await pagesOf(db, 'local'))).toEqual(['a.md', 'b.md']);

    await origin.write('c.md', note('C'));
    await origin.commit('upstream again');
    await runTestGit(clone, ['commit', '-q', '--allow-empty', '-m', 'local work']);
    const events: SyncEvent[] = [];
    const diverged = await sync(db, 'local', { onEvent: (e) => events.push(e) });
    expect(diverged.pull).toBe('not_fast_forward');
    expect(diverged.status).toBe('synced');
    expect(events.some((e) => e.type === 'warning' && /diverged from its upstream.*never forced/.test(e.message))).toBe(true);
    expect(Object.keys(await pagesOf(db, 'local'))).toEqual(['a.md', 'b.md']);
  });

  it('records since when and why the branch cannot be pulled (diverged, then local changes), and clears it once a pull works', async () => {
    const clone = await cloneOrigin();
    await add(db, 'local', clone);
    await sync(db, 'local');
    const blocked = async () => {
      const s = (await findSource(db, 'local'))!;
      return { since: s.pullBlockedSince, by: s.pullBlockedBy };
    };
    expect(await blocked()).toEqual({ since: null, by: null });

    await origin.write('c.md', note('C'));
    await origin.commit('upstream');
    await runTestGit(clone, ['commit', '-q', '--allow-empty', '-m', 'local work']);
    expect((await sync(db, 'local')).pull).toBe('not_fast_forward');
    const first = await blocked();
    expect(first).toEqual({ since: expect.any(Date), by: 'diverged' });
    expect((await sync(db, 'local')).pull).toBe('not_fast_forward');
    expect(await blocked()).toEqual(first);
    // --no-pull cannot tell: what was known stays.
    expect((await sync(db, 'local', { pull: false })).pull).toBe('skipped');
    expect(await blocked()).toEqual(first);
    const [row] = (await readStatusRows(db)).filter((r) => r.name === 'local');
    expect(row).toMatchObject({ pullBlockedSince: first.since, pullBlockedBy: 'diverged' });
    expect(row.pullBlockedAgeSeconds).toBeGreaterThanOrEqual(0);

    // Reconciled (the local work dropped for the upstream's), but a file the upstream adds next
    // is in the working tree, untracked: git refuses the pull, and the run syncs what is committed.
    await runTestGit(clone, ['reset', '-q', '--hard', 'origin/main']);
    await origin.write('d.md', note('D'));
    await origin.commit('upstream adds d');
    await writeFile(join(clone, 'd.md'), 'my draft\n');
    const events: SyncEvent[] = [];
    const refused = await sync(db, 'local', { onEvent: (e) => events.push(e) });
    expect(refused).toMatchObject({ status: 'synced', pull: 'local_changes' });
    const warning = events.find((e) => e.type === 'warning');
    expect(warning && 'message' in warning ? warning.message : '').toMatch(
      /branch "main" was not pulled: the checkout has uncommitted or untracked "d\.md" that the upstream's changes would overwrite .*Commit, stash or remove them/);
    // Still no pull since the divergence: its moment is kept, the reason follows.
    expect(await blocked()).toEqual({ since: first.since, by: 'local_changes' });
    expect(Object.keys(await pagesOf(db, 'local'))).toEqual(['a.md', 'c.md']);

    await rm(join(clone, 'd.md'));
    const pulled = await sync(db, 'local');
    expect(pulled).toMatchObject({ status: 'synced', pull: 'pulled' });
    expect(await blocked()).toEqual({ since: null, by: null });
    expect(Object.keys(await pagesOf(db, 'local'))).toEqual(['a.md', 'c.md', 'd.md']);
  });

  it('asks the upstream for its tip and skips the fetch and merge when the branch is already there; pulls once it moves', async () => {
    const clone = await makeTempDir();
    await runTestGit(clone, ['clone', '-q', origin.dir, '.']);
    await add(db, 'local', clone);
    await sync(db, 'local');
    const fetchHead = () => stat(join(clone, '.git', 'FETCH_HEAD')).then((s) => s.mtimeMs, () => null);
    const before = await fetchHead();
    const quiet = await sync(db, 'local');
    expect(quiet).toMatchObject({ status: 'up_to_date', pull: 'pulled' });
    expect(await fetchHead()).toBe(before); // no fetch ran

    await origin.write('b.md', note('B'));
    const head = await origin.commit('upstream change');
    const moved = await sync(db, 'local');
    expect(moved).toMatchObject({ status: 'synced', pull: 'pulled', target: head });
    expect(await fetchHead()).not.toBe(before);
    expect(await runTestGit(clone, ['rev-parse', 'refs/remotes/origin/main'])).toBe(head);

    // Local commits on top of the upstream's tip, not pushed yet: the branch already holds
    // everything the upstream has, so there is nothing to pull.
    await runTestGit(clone, ['config', 'user.email', 't@example.com']);
    await runTestGit(clone, ['config', 'user.name', 'T']);
    await writeFile(join(clone, 'local.md'), note('Local'));
    await runTestGit(clone, ['add', 'local.md']);
    await runTestGit(clone, ['commit', '-q', '-m', 'local work']);
    const localHead = await runTestGit(clone, ['rev-parse', 'HEAD']);
    const fetchedBefore = await fetchHead();
    const ahead = await sync(db, 'local');
    expect(ahead).toMatchObject({ status: 'synced', pull: 'pulled', target: localHead });
    expect(await fetchHead()).toBe(fetchedBefore);
    expect(Object.keys(await pagesOf(db, 'local'))).toEqual(['a.md', 'b.md', 'local.md']);
    // The upstream moves on while the local work is not pushed: its new commit is unknown
    // here, so the pull runs, and finds the branches diverged.
    await origin.write('c.md', note('C'));
    await origin.commit('upstream again');
    const diverged = await sync(db, 'local');
    expect(diverged).toMatchObject({ status: 'up_to_date', pull: 'not_fast_forward', target: localHead });
    expect(await fetchHead()).not.toBe(fetchedBefore);

    // An upstream that cannot be asked: the pull runs, and its failure is the run's.
    await origin.cleanup();
    const lost = await sync(db, 'local');
    expect(lost.status).toBe('failed');
    expect(lost.message).toMatch(/git/);
  });
});
