import { stat } from 'node:fs/promises';
import { ConfigError, errorMessage } from '../errors.js';
import type { Db } from '../db/Db.js';
import { findSource, insertSource, type SourceRow } from '../db/sourcesQueries.js';
import { branchExists, currentBranch, isGitRepository, lsRemoteBranches } from '../git/repoInfo.js';
import { runGit } from '../git/runGit.js';
import { redactCredentials } from '../redact.js';
import { validateEmbedSettings } from '../embed/embedSpec.js';
import { isCloneUrl, localRepoPath, normaliseSubdir, validateBranchName, validateSourceName } from './sourceSpec.js';

export interface AddSourceInput {
  name: string;
  repo: string;
  branch?: string;
  subdir?: string;
  embedModel?: string | null;
  embedUrl?: string | null;
  embedKeyEnv?: string | null;
  /** Directory a relative local path is resolved against. */
  cwd: string;
  signal?: AbortSignal;
}

/** Validates everything about a new source before writing one row; every refusal says what to do. */
export async function addSource(db: Db, input: AddSourceInput): Promise<SourceRow> {
  const name = validateSourceName(input.name);
  const subdir = normaliseSubdir(input.subdir);
  if (input.branch !== undefined) validateBranchName(input.branch);
  const embed = { spec: input.embedModel ?? null, url: input.embedUrl ?? null, keyEnv: input.embedKeyEnv ?? null };
  validateEmbedSettings(embed);
  if (await findSource(db, name)) {
    throw new ConfigError(
      `a source named "${name}" already exists. Pick another name, or remove it first with \`brainsync sources remove ${name} --yes\`.`,
    );
  }
  const remote = isCloneUrl(input.repo);
  const { repo, branch } = remote
    ? await checkRemote(input.repo, input.branch, input.signal)
    : await checkLocal(localRepoPath(input.repo, input.cwd), input.branch, subdir);
  return insertSource(db, {
    name,
    repo,
    repoKind: remote ? 'remote' : 'local',
    branch,
    subdir,
    embedModel: embed.spec,
    embedUrl: embed.url,
    embedKeyEnv: embed.keyEnv,
  });
}

async function checkLocal(path: string, wanted: string | undefined, subdir: string) {
  const info = await stat(path).catch(() => null);
  if (!info) throw new ConfigError(`${path} does not exist. Pass the path of a git repository (or a clone URL).`);
  if (!info.isDirectory()) throw new ConfigError(`${path} is not a directory. Pass the path of a git repository.`);
  const isRepo = await isGitRepository(path).catch((err: unknown) => {
    throw new ConfigError(`${path} cannot be read as a git repository: ${errorMessage(err)}.`, { cause: err });
  });
  if (!isRepo) {
    throw new ConfigError(`${path} is not a git repository. Run \`git init\` there first, or pass the repository's path.`);
  }
  const branch = wanted ?? (await currentBranch(path));
  if (!branch) {
    throw new ConfigError(`${path} has no branch checked out (detached HEAD). Say which branch to sync with --branch NAME.`);
  }
  if (!(await branchExists(path, branch))) {
    throw new ConfigError(`branch "${branch}" does not exist in ${path}. Check the name with \`git -C ${path} branch\`.`);
  }
  if (subdir && !(await isTreeAt(path, branch, subdir))) {
    throw new ConfigError(`--subdir "${subdir}" is not a directory on branch "${branch}" of ${path}. Check the path.`);
  }
  return { repo: path, branch };
}

async function checkRemote(url: string, wanted: string | undefined, signal?: AbortSignal) {
  // Messages show the URL as every other place does: a password in it as `***`.
  const shown = redactCredentials(url);
  let remote: { branches: string[]; head: string | null };
  try {
    remote = await lsRemoteBranches(url, { signal });
  } catch (err) {
    throw new ConfigError(
      redactCredentials(`could not read branches from ${shown}: ${errorMessage(err)}. Check the URL and your access to it, then try again.`),
      { cause: err },
    );
  }
  const branch = wanted ?? remote.head;
  if (!branch) throw new ConfigError(`${shown} has no default branch. Say which branch to sync with --branch NAME.`);
  if (!remote.branches.includes(branch)) {
    throw new ConfigError(
      `branch "${branch}" does not exist in ${shown}. It has: ${remote.branches.slice(0, 10).join(', ') || 'no branches'}.`,
    );
  }
  return { repo: url, branch };
}

async function isTreeAt(repo: string, branch: string, subdir: string): Promise<boolean> {
  try {
    return (await runGit(repo, ['cat-file', '-t', `refs/heads/${branch}:${subdir}`])).trim() === 'tree';
  } catch {
    return false;
  }
}
