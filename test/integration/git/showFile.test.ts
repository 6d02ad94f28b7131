import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/GitError.js';
import { readPathAtCommit } from '../../../src/git/showFile.js';
import { createRepo, type TestRepo } from '../../helpers/gitRepo.js';

let repo: TestRepo;
let first: string;
let second: string;
beforeAll(async () => {
  repo = await createRepo();
  await repo.write('.brainsyncignore', 'drafts/\n');
  await repo.write('notes/a b.md', 'a');
  first = await repo.commit('first');
  await repo.remove('.brainsyncignore');
  second = await repo.commit('second');
  await repo.write('.brainsyncignore', 'dirty working tree\n'); // never read
});
afterAll(() => repo.cleanup());

describe('readPathAtCommit', () => {
  it('reads the committed bytes, not the working tree', async () => {
    expect((await readPathAtCommit(repo.dir, first, '.brainsyncignore'))!.toString()).toBe('drafts/\n');
    expect((await readPathAtCommit(repo.dir, first, 'notes/a b.md'))!.toString()).toBe('a');
  });

  it('is null when the path does not exist in that commit or is a directory', async () => {
    expect(await readPathAtCommit(repo.dir, second, '.brainsyncignore')).toBeNull();
    expect(await readPathAtCommit(repo.dir, first, 'notes')).toBeNull();
  });

  it('throws when the commit does not exist', async () => {
    await expect(readPathAtCommit(repo.dir, '1234567890123456789012345678901234567890', '.brainsyncignore')).rejects.toBeInstanceOf(GitError);
  });
});
