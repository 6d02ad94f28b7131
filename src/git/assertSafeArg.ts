import { GitError } from './GitError.js';

/**
 * A value that git would read as an option (`--upload-pack=...`) must never reach its
 * command line in an argument position.
 */
export function assertSafeArg(value: string, what: string, args: string[]): void {
  if (value.length === 0 || value.startsWith('-') || /[\0\n]/.test(value)) {
    throw new GitError(`invalid ${what} ${JSON.stringify(value)}: it is empty, starts with "-" or contains a newline`, args, null, '');
  }
}

/**
 * The rules of `git check-ref-format --branch`, checked here because the name is pasted
 * into a refspec, where `*` or `:` would change what is fetched.
 */
export function assertBranchName(branch: string, args: string[] = []): void {
  const bad =
    branch.length === 0 ||
    branch.startsWith('-') ||
    branch === '@' ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.includes('..') ||
    branch.includes('//') ||
    branch.includes('@{') ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(branch) ||
    branch.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (bad) throw new GitError(`invalid branch name ${JSON.stringify(branch)}`, args, null, '');
}
