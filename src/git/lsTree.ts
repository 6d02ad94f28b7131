import { assertSafeArg } from './assertSafeArg.js';
import { GitError, gitFailure } from './GitError.js';
import { normalizeSubdir } from './normalizeSubdir.js';
import { NulSplitter } from './NulSplitter.js';
import { commitExists } from './repoInfo.js';
import { runGitResult } from './runGit.js';
import { spawnGit } from './spawnGit.js';

export interface TreeEntry {
  /** Relative to the subdirectory when one was given. */
  path: string;
  oid: string;
  /** 100644, 100755 or 120000 (a symlink: its blob is the link target). */
  mode: string;
  type: 'blob';
}

export interface LsTreeOptions {
  subdir?: string;
  signal?: AbortSignal;
}

/**
 * Every blob in `commit` (or in `commit:subdir`), recursively. Submodules are left out.
 * Returns null when the subdirectory does not exist in that commit (or is not a directory),
 * so that the caller can tell "empty" from "mis-set subdir". Output is parsed as it streams.
 */
export async function lsTree(repo: string, commit: string, opts: LsTreeOptions = {}): Promise<TreeEntry[] | null> {
  const subdir = normalizeSubdir(opts.subdir);
  const treeish = subdir === null ? commit : `${commit}:${subdir}`;
  const args = ['ls-tree', '-r', '-z', '--full-tree', treeish];
  assertSafeArg(commit, 'revision', args);
  const git = spawnGit(repo, args, { signal: opts.signal });
  const entries: TreeEntry[] = [];
  let parseError: GitError | null = null;
  const splitter = new NulSplitter((record) => {
    // `<mode> SP <type> SP <oid> TAB <path>`: the header has no tab, the path may.
    const tab = record.indexOf('\t');
    const sp1 = record.indexOf(' ');
    const sp2 = record.indexOf(' ', sp1 + 1);
    if (tab === -1 || sp1 === -1 || sp2 === -1 || sp2 > tab) throw new GitError('git ls-tree: unexpected output', args, 0, '');
    if (record.startsWith('blob', sp1 + 1) && sp2 === sp1 + 5) {
      entries.push({ path: record.slice(tab + 1), oid: record.slice(sp2 + 1, tab), mode: record.slice(0, sp1), type: 'blob' });
    }
  });
  git.stdout.on('data', (chunk: Buffer) => {
    if (parseError) return;
    try {
      splitter.push(chunk);
    } catch (err) {
      parseError = err as GitError;
      git.child.kill('SIGKILL');
    }
  });
  const exit = await git.exited;
  if (parseError) throw parseError;
  if (exit.exitCode !== 0) {
    if (subdir !== null && !(await isTree(repo, treeish, opts)) && (await commitExists(repo, commit, opts))) return null;
    throw gitFailure(args, exit.exitCode, exit.signal, exit.stderr);
  }
  if (splitter.hasPartial) throw new GitError('git ls-tree: output ended in the middle of an entry', args, 0, '');
  return entries;
}

/** Whether the commit has the directory `subdir` (one git process). */
export async function hasSubdir(repo: string, commit: string, subdir: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
  assertSafeArg(commit, 'revision', ['cat-file', '-t']);
  const dir = normalizeSubdir(subdir);
  return dir === null || isTree(repo, `${commit}:${dir}`, opts);
}

/** Whether `commit:subdir` is a directory; a failed listing of one that is comes from elsewhere (a corrupt repository). */
async function isTree(repo: string, treeish: string, opts: { signal?: AbortSignal }): Promise<boolean> {
  const r = await runGitResult(repo, ['cat-file', '-t', treeish], { signal: opts.signal });
  return r.exitCode === 0 && r.stdout.toString('utf8').trim() === 'tree';
}
