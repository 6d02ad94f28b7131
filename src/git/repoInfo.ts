import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { assertBranchName, assertSafeArg } from './assertSafeArg.js';
import { gitFailure } from './GitError.js';
import { runGit, runGitResult } from './runGit.js';

export interface GitOptions {
  signal?: AbortSignal;
}

/**
 * True when `path` is itself the top of a git repository (a working tree or a bare
 * repository). A directory merely inside some other repository is not one: discovery is
 * stopped at `path`, so a mirror directory under a checked-in folder is never mistaken for
 * the enclosing repository. Other failures (e.g. "dubious ownership") throw.
 */
export async function isGitRepository(path: string, opts: GitOptions = {}): Promise<boolean> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => null);
  if (!st?.isDirectory()) return false;
  const args = ['rev-parse', '--git-dir'];
  const r = await runGitResult(abs, args, { ...opts, env: { GIT_CEILING_DIRECTORIES: dirname(abs) } });
  if (r.exitCode === 0) return true;
  if (/not a git repository/i.test(r.stderr)) return false;
  throw gitFailure(args, r.exitCode, r.signal, r.stderr);
}

/** The checked-out branch's short name, or null when HEAD is detached. */
export async function currentBranch(repo: string, opts: GitOptions = {}): Promise<string | null> {
  const args = ['symbolic-ref', '--quiet', 'HEAD'];
  const r = await runGitResult(repo, args, opts);
  if (r.exitCode === 1) return null;
  if (r.exitCode !== 0) throw gitFailure(args, r.exitCode, r.signal, r.stderr);
  const ref = r.stdout.toString('utf8').trim();
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

/** True when `refs/heads/B` exists, or else `refs/remotes/origin/B` (a mirror's fetched branch). */
export async function branchExists(repo: string, branch: string, opts: GitOptions = {}): Promise<boolean> {
  assertBranchName(branch);
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const args = ['show-ref', '--verify', '--quiet', ref];
    const r = await runGitResult(repo, args, opts);
    if (r.exitCode === 0) return true;
    if (r.exitCode !== 1) throw gitFailure(args, r.exitCode, r.signal, r.stderr);
  }
  return false;
}

export interface BranchInfo {
  /** The branch tip. */
  commit: string;
  /** HEAD points at this branch. */
  checkedOut: boolean;
  /** Its upstream ref (`refs/remotes/origin/main`), or null. */
  upstream: string | null;
  /** Where a pull fetches from: the remote (`origin`, `.` for a local branch) and its ref (`refs/heads/main`); null without an upstream. */
  pullFrom: { remote: string; ref: string } | null;
}

/** Tip, checked-out state and upstream of `refs/heads/B` in one git call; null when the branch is missing. */
export async function branchInfo(repo: string, branch: string, opts: GitOptions = {}): Promise<BranchInfo | null> {
  assertBranchName(branch);
  const fields = ['%(HEAD)', '%(objectname)', '%(upstream)', '%(upstream:remotename)', '%(upstream:remoteref)'];
  const args = ['for-each-ref', `--format=${fields.join('%00')}`, `refs/heads/${branch}`];
  const out = await runGit(repo, args, opts);
  const line = out.split('\n').find((l) => l.length > 0);
  if (line === undefined) return null;
  // %(HEAD) is "*" for the checked-out branch and a space otherwise.
  const [head, commit, upstream, remote, ref] = line.split('\0');
  const pullFrom = upstream && remote && ref ? { remote, ref } : null;
  return { commit, checkedOut: head === '*', upstream: upstream ? upstream : null, pullFrom };
}

/** The full object id `rev` names; a GitError when it names nothing. */
export async function revParse(repo: string, rev: string, opts: GitOptions = {}): Promise<string> {
  const args = ['rev-parse', '--verify', rev];
  assertSafeArg(rev, 'revision', args);
  const r = await runGitResult(repo, args, opts);
  if (r.exitCode === 0) return r.stdout.toString('utf8').trim();
  const err = gitFailure(args, r.exitCode, r.signal, r.stderr);
  // "Needed a single revision" does not say which one.
  if (/needed a single revision/i.test(r.stderr)) err.message = `git rev-parse failed: ${JSON.stringify(rev)} does not name an object in ${repo}`;
  throw err;
}

/** True when `rev` names a commit present in the repository (a bookmark may have been gc'd). */
export async function commitExists(repo: string, rev: string, opts: GitOptions = {}): Promise<boolean> {
  const args = ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`];
  assertSafeArg(rev, 'revision', args);
  const r = await runGitResult(repo, args, opts);
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw gitFailure(args, r.exitCode, r.signal, r.stderr);
}

/** `git merge-base --is-ancestor a b`: exit 0 → true, 1 → false, anything else throws. */
export async function isAncestor(repo: string, a: string, b: string, opts: GitOptions = {}): Promise<boolean> {
  const args = ['merge-base', '--is-ancestor', a, b];
  assertSafeArg(a, 'revision', args);
  assertSafeArg(b, 'revision', args);
  const r = await runGitResult(repo, args, opts);
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw gitFailure(args, r.exitCode, r.signal, r.stderr);
}

export interface RemoteBranches {
  /** Branch names (without `refs/heads/`), in git's order. */
  branches: string[];
  /** The branch the remote's HEAD points at; null when it does not say (or HEAD is detached). */
  head: string | null;
}

/** Lists a remote's branches without a local repository: `git ls-remote --symref URL HEAD refs/heads/*`. */
export async function lsRemoteBranches(url: string, opts: GitOptions & { cwd?: string } = {}): Promise<RemoteBranches> {
  const args = ['ls-remote', '--symref', url, 'HEAD', 'refs/heads/*'];
  assertSafeArg(url, 'repository URL', args);
  const out = await runGit(opts.cwd ?? process.cwd(), args, opts);
  const branches: string[] = [];
  let head: string | null = null;
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const left = line.slice(0, tab);
    const name = line.slice(tab + 1);
    if (left.startsWith('ref: ') && name === 'HEAD') {
      const target = left.slice('ref: '.length);
      if (target.startsWith('refs/heads/')) head = target.slice('refs/heads/'.length);
    } else if (name.startsWith('refs/heads/')) {
      branches.push(name.slice('refs/heads/'.length));
    }
  }
  return { branches, head };
}

/** `remote.origin.url` of a repository (brainsync's mirrors keep the clone URL there); null when unset. */
export async function originUrl(repo: string, opts: GitOptions = {}): Promise<string | null> {
  const args = ['config', '--get', 'remote.origin.url'];
  const r = await runGitResult(repo, args, opts);
  if (r.exitCode === 0) return r.stdout.toString('utf8').trim();
  if (r.exitCode === 1) return null;
  throw gitFailure(args, r.exitCode, r.signal, r.stderr);
}
