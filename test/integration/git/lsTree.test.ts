import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/GitError.js';
import { lsTree } from '../../../src/git/lsTree.js';
import { createRepo, type TestRepo } from '../../helpers/gitRepo.js';

let repo: TestRepo;
let commit: string;
beforeAll(async () => {
  repo = await createRepo();
  await repo.write('root.md', 'root');
  await repo.write('notes/a.md', 'a');
  await repo.write('notes/sub dir/ü b.md', 'b');
  await repo.write('notes/new\nline.md', 'nl');
  await repo.write('notes/run.sh', '#!/bin/sh');
  await chmod(join(repo.dir, 'notes/run.sh'), 0o755);
  await repo.symlink('notes/link.md', 'a.md');
  await repo.write('other/c.md', 'c');
  commit = await repo.commit('tree');
  // A submodule entry (gitlink) is not a blob and must not be listed.
  await repo.git(['update-index', '--add', '--cacheinfo', `160000,${commit},notes/submodule`]);
  commit = await repo.commit('with gitlink');
});
afterAll(() => repo.cleanup());

describe('lsTree', () => {
  it('lists every blob of the commit with full paths, oids and modes', async () => {
    const entries = await lsTree(repo.dir, commit);
    expect(entries!.map((e) => e.path).sort()).toEqual(
      ['notes/a.md', 'notes/link.md', 'notes/new\nline.md', 'notes/run.sh', 'notes/sub dir/ü b.md', 'other/c.md', 'root.md'].sort(),
    );
    const a = entries!.find((e) => e.path === 'notes/a.md')!;
    expect(a).toEqual({ path: 'notes/a.md', oid: await repo.git(['rev-parse', `${commit}:notes/a.md`]), mode: '100644', type: 'blob' });
    expect(entries!.find((e) => e.path === 'notes/run.sh')!.mode).toBe('100755');
    expect(entries!.find((e) => e.path === 'notes/link.md')!.mode).toBe('120000');
  });

  it('lists a subdirectory with paths relative to it', async () => {
    const entries = await lsTree(repo.dir, commit, { subdir: 'notes/' });
    expect(entries!.map((e) => e.path).sort()).toEqual(['a.md', 'link.md', 'new\nline.md', 'run.sh', 'sub dir/ü b.md'].sort());
    expect((await lsTree(repo.dir, commit, { subdir: 'notes/sub dir' }))!.map((e) => e.path)).toEqual(['ü b.md']);
  });

  it('returns null for a subdirectory that does not exist (or is a file) in that commit', async () => {
    expect(await lsTree(repo.dir, commit, { subdir: 'missing' })).toBeNull();
    expect(await lsTree(repo.dir, commit, { subdir: 'root.md' })).toBeNull();
  });

  it('throws for a commit that does not exist, with or without a subdir', async () => {
    const nope = '1234567890123456789012345678901234567890';
    await expect(lsTree(repo.dir, nope)).rejects.toBeInstanceOf(GitError);
    await expect(lsTree(repo.dir, nope, { subdir: 'notes' })).rejects.toBeInstanceOf(GitError);
  });

  it('refuses a subdirectory that climbs out of the repository', async () => {
    await expect(lsTree(repo.dir, commit, { subdir: '../x' })).rejects.toThrow(/inside the repository/);
  });
});
