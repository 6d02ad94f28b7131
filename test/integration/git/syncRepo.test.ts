import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/GitError.js';
import { revParse } from '../../../src/git/repoInfo.js';
import { cloneMirror, fetchBranch, pullFastForward, remoteTip } from '../../../src/git/syncRepo.js';
import { createRepo, makeTempDir, runTestGit, type TestRepo } from '../../helpers/gitRepo.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await makeTempDir();
  dirs.push(d);
  return d;
}

async function track<T extends TestRepo>(r: Promise<T>): Promise<T> {
  const repo = await r;
  dirs.push(repo.dir);
  return repo;
}

/** origin: a bare repo fed from a working repo; returns both. */
async function originWithCommit(): Promise<{ work: TestRepo; bare: string; first: string }> {
  const work = await track(createRepo());
  await work.write('notes/a.md', '# A');
  const first = await work.commit('first');
  const bare = await makeTempDir('brainsync-bare-');
  dirs.push(bare);
  await runTestGit(bare, ['clone', '--quiet', '--bare', work.dir, '.']);
  await work.git(['remote', 'add', 'origin', bare]);
  await work.git(['fetch', '--quiet', 'origin']);
  await work.git(['branch', '--quiet', '--set-upstream-to=origin/main', 'main']);
  return { work, bare, first };
}

describe('cloneMirror and fetchBranch', () => {
  it('clones a branch into a new directory, then fetches new commits into it', async () => {
    const { work, bare, first } = await originWithCommit();
    const parent = await makeTempDir();
    dirs.push(parent);
    const mirror = join(parent, 'mirrors', 'notes');
    const r = await cloneMirror(`file://${bare}`, mirror, 'main');
    expect(r).toEqual({ commit: first, created: true });
    expect(await revParse(mirror, 'refs/remotes/origin/main')).toBe(first);

    await work.write('notes/b.md', '# B');
    const second = await work.commit('second');
    await work.git(['push', '--quiet', 'origin', 'main']);
    expect(await fetchBranch(mirror, 'main')).toBe(second);
    expect(await cloneMirror(`file://${bare}`, mirror, 'main')).toEqual({ commit: second, created: false });
  });

  it('follows a force-push (the fetch refspec is forced)', async () => {
    const { work, bare } = await originWithCommit();
    const mirror = join(await tempDir(), 'm');
    await work.write('x.md', 'x');
    await work.commit('x');
    await work.git(['push', '--quiet', 'origin', 'main']);
    await cloneMirror(bare, mirror, 'main');
    await work.git(['reset', '--quiet', '--hard', 'HEAD~1']);
    await work.write('y.md', 'y');
    const rewritten = await work.commit('y');
    await work.git(['push', '--quiet', '--force', 'origin', 'main']);
    expect(await fetchBranch(mirror, 'main')).toBe(rewritten);
  });

  it('accepts an existing empty directory and refuses one with other content', async () => {
    const { bare, first } = await originWithCommit();
    const empty = await makeTempDir();
    dirs.push(empty);
    expect((await cloneMirror(bare, empty, 'main')).commit).toBe(first);

    const full = await makeTempDir();
    dirs.push(full);
    await writeFile(join(full, 'keep.txt'), 'mine');
    await expect(cloneMirror(bare, full, 'main')).rejects.toThrow(/refusing to clone into .*not a git repository/);
  });

  it('removes the temp packs an interrupted fetch left in the mirror before fetching again', async () => {
    const { work, bare } = await originWithCommit();
    const mirror = join(await tempDir(), 'm');
    await cloneMirror(bare, mirror, 'main');
    const packDir = join(mirror, 'objects', 'pack');
    const before = await readdir(packDir);
    // What git's index-pack leaves when the fetch is killed mid-transfer.
    for (const name of ['tmp_pack_Ab12Cd', 'tmp_idx_Ab12Cd', 'tmp_rev_Ab12Cd']) await writeFile(join(packDir, name), 'partial pack data');
    await work.write('notes/b.md', '# B');
    const second = await work.commit('second');
    await work.git(['push', '--quiet', 'origin', 'main']);

    expect((await cloneMirror(bare, mirror, 'main')).commit).toBe(second);
    const after = await readdir(packDir);
    expect(after.filter((n) => n.startsWith('tmp_'))).toEqual([]);
    for (const name of before) expect(after).toContain(name);
  });

  it('never removes temp files from a user\'s repository (only brainsync\'s mirror is cleaned)', async () => {
    const { work } = await originWithCommit();
    const packDir = join(work.dir, '.git', 'objects', 'pack');
    await mkdir(packDir, { recursive: true });
    await writeFile(join(packDir, 'tmp_pack_user'), 'not ours');
    expect((await pullFastForward(work.dir, 'main')).status).toBe('pulled');
    expect(await readdir(packDir)).toContain('tmp_pack_user');
  });

  it('names the missing branch when the remote does not have it', async () => {
    const { bare } = await originWithCommit();
    const mirror = join(await tempDir(), 'm');
    const err = (await cloneMirror(bare, mirror, 'nope').catch((e: unknown) => e)) as GitError;
    expect(err).toBeInstanceOf(GitError);
    expect(err.message).toMatch(/git fetch failed .*couldn't find remote ref refs\/heads\/nope/);
  });
});

describe('pullFastForward', () => {
  it('fast-forwards the checked-out branch to its upstream', async () => {
    const { work, bare } = await originWithCommit();
    const other = await makeTempDir();
    dirs.push(other);
    await runTestGit(other, ['clone', '--quiet', bare, '.']);
    await runTestGit(other, ['-c', 'user.name=O', '-c', 'user.email=o@x', 'commit', '--quiet', '--allow-empty', '-m', 'upstream']);
    await runTestGit(other, ['push', '--quiet', 'origin', 'main']);
    const upstreamHead = await runTestGit(other, ['rev-parse', 'HEAD']);

    expect(await pullFastForward(work.dir, 'main')).toEqual({ status: 'pulled' });
    expect(await work.git(['rev-parse', 'HEAD'])).toBe(upstreamHead);
    expect(await pullFastForward(work.dir, 'main')).toEqual({ status: 'pulled' });
  });

  it('reports a branch without upstream and does not pull another branch than the one checked out', async () => {
    const work = await track(createRepo());
    await work.write('a.md', 'a');
    await work.commit('a');
    expect(await pullFastForward(work.dir, 'main')).toEqual({ status: 'no_upstream' });
    expect(await pullFastForward(work.dir, 'other')).toEqual({ status: 'not_on_branch' });
  });

  it('reports diverged history as not_fast_forward and leaves HEAD alone', async () => {
    const { work, bare } = await originWithCommit();
    const other = await makeTempDir();
    dirs.push(other);
    await runTestGit(other, ['clone', '--quiet', bare, '.']);
    await runTestGit(other, ['-c', 'user.name=O', '-c', 'user.email=o@x', 'commit', '--quiet', '--allow-empty', '-m', 'theirs']);
    await runTestGit(other, ['push', '--quiet', 'origin', 'main']);
    await work.write('local.md', 'mine');
    const mine = await work.commit('mine');

    await work.git(['config', 'pull.rebase', 'true']); // must not turn into a rebase
    expect(await pullFastForward(work.dir, 'main')).toEqual({ status: 'not_fast_forward' });
    expect(await work.git(['rev-parse', 'HEAD'])).toBe(mine);
    expect(await work.git(['status', '--porcelain'])).toBe('');
  });

  it('throws a GitError when the upstream cannot be reached', async () => {
    const { work, bare } = await originWithCommit();
    await rm(bare, { recursive: true });
    await mkdir(bare);
    await expect(pullFastForward(work.dir, 'main')).rejects.toBeInstanceOf(GitError);
  });
});

describe('remoteTip', () => {
  it('names the commit of exactly that ref on the remote, and null when it has none', async () => {
    const { work, bare, first } = await originWithCommit();
    expect(await remoteTip(work.dir, 'origin', 'refs/heads/main')).toBe(first);
    // A longer ref ending in the pattern is not the one asked for.
    await runTestGit(bare, ['update-ref', 'refs/remotes/x/refs/heads/side', first]);
    expect(await remoteTip(work.dir, 'origin', 'refs/heads/side')).toBeNull();
    await work.write('b.md', 'b');
    const second = await work.commit('second');
    await work.git(['push', '--quiet', 'origin', 'main']);
    expect(await remoteTip(work.dir, 'origin', 'refs/heads/main')).toBe(second);
    expect(await remoteTip(work.dir, bare, 'refs/heads/main')).toBe(second);
  });

  it('throws a GitError for a remote that cannot be reached, and refuses an option for a remote', async () => {
    const { work, bare } = await originWithCommit();
    await rm(bare, { recursive: true });
    await expect(remoteTip(work.dir, 'origin', 'refs/heads/main')).rejects.toBeInstanceOf(GitError);
    await expect(remoteTip(work.dir, '--upload-pack=touch x', 'refs/heads/main')).rejects.toThrow(/remote/);
  });
});
