import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/GitError.js';
import {
  branchExists,
  branchInfo,
  commitExists,
  currentBranch,
  isAncestor,
  isGitRepository,
  lsRemoteBranches,
  revParse,
} from '../../../src/git/repoInfo.js';
import { createRepo, makeTempDir, runTestGit, type TestRepo } from '../../helpers/gitRepo.js';

let repo: TestRepo;
let c1: string;
let c2: string;
let side: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  repo = await createRepo();
  cleanups.push(() => repo.cleanup());
  await repo.write('a.md', 'one');
  c1 = await repo.commit('one');
  await repo.write('a.md', 'two');
  c2 = await repo.commit('two');
  await repo.git(['checkout', '--quiet', '-b', 'side', c1]);
  await repo.write('b.md', 'side');
  side = await repo.commit('side');
  await repo.git(['checkout', '--quiet', 'main']);
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('isGitRepository', () => {
  it('is true for a working tree root and for a bare repository', async () => {
    expect(await isGitRepository(repo.dir)).toBe(true);
    const bare = await createRepo({ bare: true });
    cleanups.push(() => bare.cleanup());
    expect(await isGitRepository(bare.dir)).toBe(true);
  });

  it('is false for a plain directory, a missing path, and a directory inside another repository', async () => {
    const plain = await makeTempDir();
    cleanups.push(() => rm(plain, { recursive: true }));
    expect(await isGitRepository(plain)).toBe(false);
    expect(await isGitRepository(join(plain, 'missing'))).toBe(false);
    await mkdir(join(repo.dir, 'inner'), { recursive: true });
    expect(await isGitRepository(join(repo.dir, 'inner'))).toBe(false);
  });
});

describe('currentBranch', () => {
  it('names the checked-out branch and is null when HEAD is detached', async () => {
    expect(await currentBranch(repo.dir)).toBe('main');
    await repo.git(['checkout', '--quiet', '--detach', c1]);
    try {
      expect(await currentBranch(repo.dir)).toBeNull();
    } finally {
      await repo.git(['checkout', '--quiet', 'main']);
    }
  });
});

describe('branchExists', () => {
  it('finds local branches and falls back to origin remote-tracking branches', async () => {
    expect(await branchExists(repo.dir, 'main')).toBe(true);
    expect(await branchExists(repo.dir, 'side')).toBe(true);
    expect(await branchExists(repo.dir, 'nope')).toBe(false);
    await repo.git(['update-ref', 'refs/remotes/origin/only-remote', c1]);
    expect(await branchExists(repo.dir, 'only-remote')).toBe(true);
  });

  it('refuses a name that is not a valid branch name', async () => {
    await expect(branchExists(repo.dir, 'a*b')).rejects.toBeInstanceOf(GitError);
    await expect(branchExists(repo.dir, '--help')).rejects.toBeInstanceOf(GitError);
  });
});

describe('revParse and commitExists', () => {
  it('resolves names to full object ids and says which name is unknown', async () => {
    expect(await revParse(repo.dir, 'main')).toBe(c2);
    expect(await revParse(repo.dir, 'main~1')).toBe(c1);
    await expect(revParse(repo.dir, 'no-such')).rejects.toThrow(/"no-such" does not name an object/);
    await expect(revParse(repo.dir, '--all')).rejects.toBeInstanceOf(GitError);
  });

  it('tells a present commit from an absent one', async () => {
    expect(await commitExists(repo.dir, c1)).toBe(true);
    expect(await commitExists(repo.dir, '1234567890123456789012345678901234567890')).toBe(false);
  });
});

describe('isAncestor', () => {
  it('is true along history, false across diverged branches, and throws for unknown commits', async () => {
    expect(await isAncestor(repo.dir, c1, c2)).toBe(true);
    expect(await isAncestor(repo.dir, c2, c2)).toBe(true);
    expect(await isAncestor(repo.dir, c2, c1)).toBe(false);
    expect(await isAncestor(repo.dir, side, c2)).toBe(false);
    await expect(isAncestor(repo.dir, '1234567890123456789012345678901234567890', c2)).rejects.toBeInstanceOf(GitError);
  });
});

describe('lsRemoteBranches', () => {
  it('lists branch names and the branch the remote HEAD points at', async () => {
    const r = await lsRemoteBranches(`file://${repo.dir}`);
    expect(r.branches.sort()).toEqual(['main', 'side']);
    expect(r.head).toBe('main');
  });

  it('throws a GitError for a remote that does not exist', async () => {
    await expect(lsRemoteBranches(join(repo.dir, 'nope'))).rejects.toBeInstanceOf(GitError);
  });
});

describe('branchInfo', () => {
  it('tells the tip, whether the branch is checked out, and its upstream, in one call', async () => {
    const own = await createRepo();
    await own.write('a.md', 'a');
    const main = await own.commit('a');
    await own.git(['branch', 'other']);
    expect(await branchInfo(own.dir, 'main')).toEqual({ commit: main, checkedOut: true, upstream: null, pullFrom: null });
    expect(await branchInfo(own.dir, 'other')).toEqual({ commit: main, checkedOut: false, upstream: null, pullFrom: null });
    expect(await branchInfo(own.dir, 'missing')).toBeNull();
    const clone = await makeTempDir();
    await runTestGit(clone, ['clone', '-q', own.dir, '.']);
    expect(await branchInfo(clone, 'main')).toEqual({
      commit: main, checkedOut: true, upstream: 'refs/remotes/origin/main', pullFrom: { remote: 'origin', ref: 'refs/heads/main' },
    });
    // A branch tracking a local branch pulls from ".".
    await runTestGit(clone, ['branch', '--quiet', '--track', 'local', 'main']);
    expect((await branchInfo(clone, 'local'))?.pullFrom).toEqual({ remote: '.', ref: 'refs/heads/main' });
    await own.cleanup();
  });
});
