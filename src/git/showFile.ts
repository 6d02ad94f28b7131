import { assertSafeArg } from './assertSafeArg.js';
import { GitError } from './GitError.js';
import { commitExists, type GitOptions } from './repoInfo.js';
import { runGitBuffer } from './runGit.js';

/**
 * The bytes of `path` as committed in `commit`, read from the object store, never the
 * working tree. Null when the path does not exist there (or is a directory); a missing
 * commit is an error.
 */
export async function readPathAtCommit(repo: string, commit: string, path: string, opts: GitOptions = {}): Promise<Buffer | null> {
  const args = ['cat-file', 'blob', `${commit}:${path.replace(/^\.?\//, '')}`];
  assertSafeArg(commit, 'revision', args);
  try {
    return await runGitBuffer(repo, args, opts);
  } catch (err) {
    if (err instanceof GitError && (await commitExists(repo, commit, opts))) return null;
    throw err;
  }
}
