import { GitError } from './GitError.js';

/**
 * A source's subdirectory as git wants it in `commit:subdir` and `--relative=`: no leading
 * `./` or `/`, no trailing `/`, no `..`. Returns null for "the whole repository".
 */
export function normalizeSubdir(subdir: string | undefined): string | null {
  if (subdir === undefined) return null;
  const parts = subdir.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return null;
  if (parts.includes('..') || /[\0\n]/.test(subdir)) {
    throw new GitError(`invalid subdirectory ${JSON.stringify(subdir)}: it must stay inside the repository`, [], null, '');
  }
  return parts.join('/');
}
