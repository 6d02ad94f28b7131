import { mkdir, readdir, stat } from 'node:fs/promises';
import { assertBranchName, assertSafeArg } from './assertSafeArg.js';
import { GitError, gitFailure } from './GitError.js';
import { removeFetchTemps } from './removeFetchTemps.js';
import { branchInfo, isGitRepository, type GitOptions } from './repoInfo.js';
import { runGit, runGitResult } from './runGit.js';

export interface CloneMirrorResult {
  /** The fetched tip of `branch` (`refs/remotes/origin/<branch>`). */
  commit: string;
  /** False when `dir` already held the mirror and was only fetched into. */
  created: boolean;
}

/**
 * Makes `dir` a bare mirror of `url` holding `branch` as `refs/remotes/origin/<branch>`.
 * `dir` belongs to brainsync: it may be missing, empty, or an earlier mirror (then it is
 * fetched into, and its origin URL updated); anything else is refused, never overwritten.
 * It is `init` + `fetch` rather than `git clone` so that a clone killed halfway leaves a
 * repository the next run resumes, instead of a half-filled directory it must refuse.
 * The caller has `dir` to itself (it holds the source's lock), so what an interrupted fetch
 * left there (`objects/pack/tmp_pack_*`) is removed before fetching again.
 */
export async function cloneMirror(url: string, dir: string, branch: string, opts: GitOptions = {}): Promise<CloneMirrorResult> {
  const args = ['clone', url, dir];
  assertSafeArg(url, 'repository URL', args);
  assertBranchName(branch, args);
  const st = await stat(dir).catch(() => null);
  const isRepo = st !== null && (await isGitRepository(dir, opts));
  if (st && !isRepo && (!st.isDirectory() || (await readdir(dir)).length > 0)) {
    throw new GitError(`refusing to clone into ${dir}: it exists and is not a git repository`, args, null, '');
  }
  if (!isRepo) {
    await mkdir(dir, { recursive: true });
    await runGit(dir, ['init', '--bare', '--quiet'], opts);
  } else {
    await removeFetchTemps(dir);
  }
  await runGit(dir, ['config', 'remote.origin.url', url], opts);
  const commit = await fetchBranch(dir, branch, opts);
  return { commit, created: !isRepo };
}

/** Fetches `+refs/heads/B:refs/remotes/origin/B` from origin and returns the fetched commit. */
export async function fetchBranch(dir: string, branch: string, opts: GitOptions = {}): Promise<string> {
  assertBranchName(branch);
  const ref = `refs/remotes/origin/${branch}`;
  await runGit(dir, ['fetch', '--no-tags', '--quiet', 'origin', `+refs/heads/${branch}:${ref}`], opts);
  return (await runGit(dir, ['rev-parse', '--verify', `${ref}^{commit}`], opts)).trim();
}

/**
 * `local_changes`: files in the working tree (changed, or untracked) that the pull would
 * overwrite; git refuses, and nothing is forced.
 */
export type PullStatus = 'pulled' | 'no_upstream' | 'not_fast_forward' | 'not_on_branch' | 'local_changes';

export interface PullOutcome {
  status: PullStatus;
  /** For `local_changes`: the files git named (as it lists them, relative to the repository). */
  paths?: string[];
}

/**
 * For a local working repository: when `branch` is checked out and has an upstream,
 * `git pull --ff-only`. A pull that cannot fast-forward is reported, never forced or merged;
 * `pulled` includes "already up to date".
 */
export async function pullFastForward(repo: string, branch: string, opts: GitOptions = {}): Promise<PullOutcome> {
  const info = await branchInfo(repo, branch, opts);
  if (!info?.checkedOut) return { status: 'not_on_branch' };
  if (!info.upstream) return { status: 'no_upstream' };
  return pullCheckedOut(repo, opts);
}

/**
 * `git pull --ff-only` into the checked-out branch, which the caller knows has an upstream
 * (pullFastForward after the caller's own branchInfo).
 */
export async function pullCheckedOut(repo: string, opts: GitOptions = {}): Promise<PullOutcome> {
  // --no-rebase: a user's pull.rebase=true must not turn this into a rebase.
  const args = ['pull', '--ff-only', '--no-rebase', '--quiet'];
  const r = await runGitResult(repo, args, { ...opts, env: { GIT_MERGE_AUTOEDIT: 'no' } });
  if (r.exitCode === 0) return { status: 'pulled' };
  if (/not possible to fast-forward/i.test(r.stderr)) return { status: 'not_fast_forward' };
  if (/would be overwritten by (?:merge|checkout)/i.test(r.stderr)) return { status: 'local_changes', paths: overwrittenPaths(r.stderr) };
  throw gitFailure(args, r.exitCode, r.signal, r.stderr);
}

/** The tab-indented file list under git's "… would be overwritten by merge:" lines (git runs with LC_ALL=C). */
function overwrittenPaths(stderr: string): string[] {
  const paths: string[] = [];
  let listing = false;
  for (const line of stderr.split('\n')) {
    if (/would be overwritten by/i.test(line)) listing = true;
    else if (listing && line.startsWith('\t')) paths.push(line.slice(1));
    else listing = false;
  }
  return paths;
}

/**
 * The commit `ref` names on `remote` (a remote's name or URL, as a pull fetches from it), or
 * null when the remote does not have it. One `git ls-remote`: the ref advertisement alone,
 * without the fetch's negotiation, FETCH_HEAD, connectivity check and auto-maintenance.
 */
export async function remoteTip(repo: string, remote: string, ref: string, opts: GitOptions = {}): Promise<string | null> {
  const args = ['ls-remote', remote, ref];
  assertSafeArg(remote, 'remote', args);
  assertSafeArg(ref, 'ref', args);
  const out = await runGit(repo, args, opts);
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    // A pattern also matches longer refs ending in it (refs/remotes/x/refs/heads/main): only the exact one counts.
    if (tab > 0 && line.slice(tab + 1) === ref) return line.slice(0, tab);
  }
  return null;
}
