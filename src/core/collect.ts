import { join } from 'node:path';
import type { PullBlock, SourceRow } from '../db/sourcesQueries.js';
import { directoryError } from '../directoryError.js';
import { GitFailure, errorMessage } from '../errors.js';
import { redactCredentials } from '../redact.js';
import { GitError } from '../git/GitError.js';
import { branchInfo, isAncestor, revParse } from '../git/repoInfo.js';
import { cloneMirror, pullCheckedOut, remoteTip, type PullStatus } from '../git/syncRepo.js';

export interface Collected {
  /** The repository the run reads objects from (the user's repo, or brainsync's mirror). */
  repoDir: string;
  /** The pinned commit: everything is read from its objects. */
  target: string;
  pull: PullStatus | 'fetched' | 'skipped';
  /** For a pull refused for `local_changes`: the files git named. */
  blockedPaths?: string[];
}

/** What collecting needs to know of a source. */
export type CollectSource = Pick<SourceRow, 'name' | 'repo' | 'repoKind' | 'branch'>;

/** A pull this process made moments ago, and the tip it pinned (see SyncOptions.pulled). */
export interface EarlierPull extends CollectSource {
  collected: Collected;
}

export interface CollectOptions {
  /** Fetch clone-URL sources into brainsync's mirror (false: --no-pull). */
  fetch: boolean;
  /** `git pull --ff-only` a local repository (false: --no-pull, and --dry-run, which never touches a user's checkout). */
  pull: boolean;
  /** Where brainsync keeps mirrors of clone-URL sources. */
  reposDir: string;
  signal: AbortSignal;
}

/** Pull (or fetch) and pin the target commit. The git child is killed when the signal aborts. */
export async function collect(source: CollectSource, opts: CollectOptions): Promise<Collected> {
  try {
    if (source.repoKind === 'remote') return await collectRemote(source, opts);
    return await collectLocal(source, opts);
  } catch (err) {
    if (opts.signal.aborted) throw opts.signal.reason;
    if (err instanceof GitError) throw new GitFailure(gitAdvice(source, err), { cause: err });
    if (source.repoKind === 'remote') throw (await mirrorError(err, source, opts.reposDir)) ?? err;
    throw err;
  }
}

/** The mirror of a clone-URL source lives in brainsync's data directory, which may be unusable. */
function mirrorError(err: unknown, source: CollectSource, reposDir: string) {
  const advice = 'point BRAINSYNC_HOME (where brainsync keeps its mirrors of clone-URL sources) at a directory this user can write';
  return directoryError(err, join(reposDir, source.name), `source "${source.name}": brainsync's mirror`, advice);
}

async function collectRemote(source: CollectSource, opts: CollectOptions): Promise<Collected> {
  const repoDir = join(opts.reposDir, source.name);
  if (!opts.fetch) {
    const target = await revParse(repoDir, `refs/remotes/origin/${source.branch}^{commit}`, { signal: opts.signal });
    return { repoDir, target, pull: 'skipped' };
  }
  const { commit } = await cloneMirror(source.repo, repoDir, source.branch, { signal: opts.signal });
  return { repoDir, target: commit, pull: 'fetched' };
}

async function collectLocal(source: CollectSource, opts: CollectOptions): Promise<Collected> {
  const repoDir = source.repo;
  const info = await branchInfo(repoDir, source.branch, { signal: opts.signal });
  if (!info) throw new GitFailure(`source "${source.name}": branch "${source.branch}" no longer exists in ${repoDir}. Restore it, or remove and re-add the source with the right --branch.`);
  // Pulling only makes sense for the checked-out branch with an upstream; that check costs
  // no extra git call, which keeps a no-op run cheap.
  if (!opts.pull) return { repoDir, target: info.commit, pull: 'skipped' };
  if (!info.checkedOut) return { repoDir, target: info.commit, pull: 'not_on_branch' };
  if (!info.upstream) return { repoDir, target: info.commit, pull: 'no_upstream' };
  // When the branch already contains the upstream's tip (the same commit, or local commits
  // on top of it not pushed yet), a pull would change nothing: one ref advertisement (and an
  // ancestry check) instead of a fetch and a merge keeps a cron run cheap. Anything else
  // (the remote has moved, cannot be asked, or the upstream is a local branch) pulls.
  const from = info.pullFrom;
  if (from && from.remote !== '.') {
    const tip = await remoteTip(repoDir, from.remote, from.ref, { signal: opts.signal }).catch(() => null);
    if (opts.signal.aborted) throw opts.signal.reason;
    if (tip !== null && (tip === info.commit || (await containsCommit(repoDir, info.commit, tip, opts.signal)))) {
      return { repoDir, target: info.commit, pull: 'pulled' };
    }
  }
  const { status, paths } = await pullCheckedOut(repoDir, { signal: opts.signal });
  const target = await revParse(repoDir, `refs/heads/${source.branch}^{commit}`, { signal: opts.signal });
  return { repoDir, target, pull: status, ...(paths ? { blockedPaths: paths } : {}) };
}

/** Whether `commit` is `tip` or one of its ancestors; false also when git does not know `commit` here (it was never fetched). */
async function containsCommit(repoDir: string, tip: string, commit: string, signal: AbortSignal): Promise<boolean> {
  const contained = await isAncestor(repoDir, commit, tip, { signal }).catch(() => false);
  if (signal.aborted) throw signal.reason;
  return contained;
}

/**
 * Why the source's branch cannot be pulled after a pull that ended `c.pull`: a pull refused
 * (diverged, or local files in the way) says why; a pull that worked, a clone URL's fetch, or
 * a branch without an upstream says nothing blocks it; a pull that was not tried
 * (`--no-pull`, another branch checked out) leaves what was known.
 */
export function pullBlockedAfter(pull: Collected['pull'], before: PullBlock | null): PullBlock | null {
  if (pull === 'not_fast_forward') return 'diverged';
  if (pull === 'local_changes') return 'local_changes';
  if (pull === 'pulled' || pull === 'fetched' || pull === 'no_upstream') return null;
  return before;
}

/** The warning for a local branch the pull could not bring up to its upstream; null when it was not refused. */
export function pullRefusedMessage(branch: string, c: Pick<Collected, 'pull' | 'blockedPaths'>): string | null {
  if (c.pull === 'not_fast_forward') {
    return `branch "${branch}" has diverged from its upstream, so it was not pulled (never forced); ` +
      'syncing the local branch as it is. Reconcile it with git to get the upstream changes.';
  }
  if (c.pull !== 'local_changes') return null;
  const paths = c.blockedPaths ?? [];
  const named = paths.length === 0 ? 'files' : `${paths.slice(0, 3).map((p) => JSON.stringify(p)).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''}`;
  return `branch "${branch}" was not pulled: the checkout has uncommitted or untracked ${named} that the upstream's changes would overwrite ` +
    '(nothing was forced); syncing the committed branch as it is. Commit, stash or remove them to get the upstream changes.';
}

function gitAdvice(source: CollectSource, err: GitError): string {
  const where = redactCredentials(source.repo);
  return (
    `source "${source.name}": git failed on ${where} (${errorMessage(err)}). ` +
    `Check that the repository exists, is readable and has branch "${source.branch}"; the other sources are not affected.`
  );
}
