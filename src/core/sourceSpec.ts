import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { branchNameProblem } from '../git/assertSafeArg.js';
import { normalizeSubdir } from '../git/normalizeSubdir.js';

const namePattern = /^[a-z0-9][a-z0-9._-]*$/;
export const maxNameLength = 64;

/** Names end up in lock rows, file names and log lines: keep them plain. */
export function validateSourceName(name: string): string {
  if (name.length === 0) throw new ConfigError('a source name cannot be empty. Pick a short name such as "notes".');
  if (name.length > maxNameLength) {
    throw new ConfigError(`source name "${name}" is ${name.length} characters long; the limit is ${maxNameLength}. Pick a shorter name.`);
  }
  if (!namePattern.test(name)) {
    throw new ConfigError(
      `source name "${name}" is not allowed: use lower-case letters, digits, ".", "-" and "_", ` +
        'starting with a letter or digit (for example "team-notes").',
    );
  }
  return name;
}

/**
 * A --branch value must be a branch name git accepts (`git check-ref-format --branch`): it is
 * pasted into refspecs and git command lines, where "-x" would be an option.
 */
export function validateBranchName(branch: string): string {
  const problem = branchNameProblem(branch);
  if (!problem) return branch;
  throw new ConfigError(
    `--branch ${JSON.stringify(branch)} is not a valid branch name: ${problem}. A branch name (git check-ref-format --branch) ` +
      'may not start with "-", contain "..", "//", "@{", spaces, control characters or any of ~ ^ : ? * [ \\, ' +
      'end with "/" or ".", or have a part that starts with "." or ends with ".lock"; for example "main" or "team/notes".',
  );
}

// scheme://… (https, ssh, git, file) or scp-like user@host:path
const urlPattern = /^[a-z][a-z0-9+.-]*:\/\//i;
const scpPattern = /^[^/\s@]+@[^/\s:]+:/;

export function isCloneUrl(repo: string): boolean {
  return urlPattern.test(repo) || scpPattern.test(repo);
}

/** A subdirectory inside the repository, normalised to `a/b` (empty for the root); a leading / means the repository's root. */
export function normaliseSubdir(subdir: string | undefined): string {
  try {
    return normalizeSubdir(subdir) ?? '';
  } catch {
    throw new ConfigError(
      `--subdir "${subdir}" must be a path inside the repository, relative to its root (for example "notes/team").`,
    );
  }
}

export function localRepoPath(repo: string, cwd: string): string {
  return resolve(cwd, repo);
}
