import { assertSafeArg } from './assertSafeArg.js';
import { displayPath } from './displayPath.js';
import { GitError, gitFailure } from './GitError.js';
import { normalizeSubdir } from './normalizeSubdir.js';
import { NulSplitter } from './NulSplitter.js';
import { runGitResult } from './runGit.js';

export interface Change {
  /** C (copy) is reported as A; git's U/X never occur between two commits. */
  status: 'A' | 'M' | 'D' | 'R' | 'T';
  /** Relative to the subdirectory when one was given. */
  path: string;
  /** R only: where the file was. */
  oldPath?: string;
  /** All zeros for A. */
  srcOid: string;
  /** All zeros for D. */
  dstOid: string;
  /** Raw modes as git prints them: 100644, 100755, 120000 (symlink), 160000 (submodule), 000000. */
  srcMode: string;
  dstMode: string;
}

export interface DiffRawOptions {
  subdir?: string;
  /** Rename detection (`-M`); default true. */
  renames?: boolean;
  signal?: AbortSignal;
}

/**
 * `git diff --raw -z` between two commits, parsed. With a subdirectory, only changes under
 * it are reported, with paths relative to it; a file moved out of it is a D, one moved in an A.
 */
export async function diffRaw(repo: string, from: string, to: string, opts: DiffRawOptions = {}): Promise<Change[]> {
  const subdir = normalizeSubdir(opts.subdir);
  const args = ['diff', '--raw', '-z', '--no-abbrev', '--no-ext-diff', opts.renames === false ? '--no-renames' : '-M'];
  if (subdir !== null) args.push(`--relative=${subdir}/`);
  args.push(from, to);
  if (subdir !== null) args.push('--', `${subdir}/`);
  assertSafeArg(from, 'revision', args);
  assertSafeArg(to, 'revision', args);
  // Literal pathspecs: a subdirectory named with `*` or `:(` is a name, not a pattern.
  const r = await runGitResult(repo, args, { signal: opts.signal, env: { GIT_LITERAL_PATHSPECS: '1' } });
  if (r.exitCode !== 0) throw gitFailure(args, r.exitCode, r.signal, r.stderr);
  return parseDiffRaw(r.stdout, args);
}

/** Parses `--raw -z` output: `:srcMode dstMode srcOid dstOid STATUS\0path\0[newPath\0]`. */
export function parseDiffRaw(out: Buffer, args: string[] = []): Change[] {
  const changes: Change[] = [];
  let header: string[] | null = null;
  let oldPath: string | null = null;
  const splitter = new NulSplitter((field) => {
    if (header === null) {
      if (!field.startsWith(':')) throw new GitError(`git diff: unexpected raw output ${JSON.stringify(field.slice(0, 80))}`, args, 0, '');
      header = field.slice(1).split(' ');
      return;
    }
    const path = field;
    const letter = header[4]?.[0];
    if ((letter === 'R' || letter === 'C') && oldPath === null) {
      oldPath = path;
      return;
    }
    changes.push(toChange(header, letter, path, oldPath, args));
    header = null;
    oldPath = null;
  });
  splitter.push(out);
  if (header !== null || splitter.hasPartial) throw new GitError('git diff: raw output ended in the middle of an entry', args, 0, '');
  return changes;
}

function toChange(h: string[], letter: string | undefined, path: string, oldPath: string | null, args: string[]): Change {
  const [srcMode, dstMode, srcOid, dstOid] = h;
  const base = { path, srcOid, dstOid, srcMode, dstMode };
  switch (letter) {
    case 'A': case 'M': case 'D': case 'T':
      return { status: letter, ...base };
    case 'R':
      return { status: 'R', ...base, oldPath: oldPath! };
    case 'C':
      // The source still exists; for a mirror the destination is simply a new file.
      return { status: 'A', ...base, srcOid: '0'.repeat(srcOid.length), srcMode: '000000' };
    default:
      throw new GitError(`git diff: unexpected change status ${JSON.stringify(h[4])} for ${displayPath(path)}`, args, 0, '');
  }
}
