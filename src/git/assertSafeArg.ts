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
 * What is wrong with a branch name by the rules of `git check-ref-format --branch`, or null
 * when it is valid. Checked here because the name is pasted into a refspec, where `*` or `:`
 * would change what is fetched, and into argument lists, where a leading `-` is an option.
 */
export function branchNameProblem(branch: string): string | null {
  if (branch.length === 0) return 'it is empty';
  if (branch.startsWith('-')) return 'it starts with "-"';
  if (branch === '@') return 'it is "@"';
  if (branch.endsWith('/') || branch.endsWith('.')) return 'it ends with "/" or "."';
  if (branch.includes('..')) return 'it contains ".."';
  if (branch.includes('//')) return 'it contains "//"';
  if (branch.includes('@{')) return 'it contains "@{"';
  if (/[\x00-\x20\x7f]/.test(branch)) return 'it contains a space or a control character';
  const special = /[~^:?*[\\]/.exec(branch);
  if (special) return `it contains "${special[0]}"`;
  if (branch.split('/').some((c) => c.startsWith('.'))) return 'a part of it starts with "."';
  if (branch.split('/').some((c) => c.endsWith('.lock'))) return 'a part of it ends with ".lock"';
  return null;
}

export function assertBranchName(branch: string, args: string[] = []): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new GitError(`invalid branch name ${JSON.stringify(branch)}: ${problem}`, args, null, '');
}
