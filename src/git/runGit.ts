import { gitFailure } from './GitError.js';
import { spawnGit } from './spawnGit.js';

export interface RunGitOptions {
  signal?: AbortSignal;
  /** Written to git's stdin, which is then closed. Without it git's stdin is /dev/null. */
  input?: string | Buffer;
  env?: Record<string, string>;
}

export interface GitResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs git and returns its exit status and output whatever the exit code. */
export async function runGitResult(cwd: string, args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const git = spawnGit(cwd, args, {
    signal: opts.signal,
    env: opts.env,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
  });
  const chunks: Buffer[] = [];
  git.stdout.on('data', (c: Buffer) => chunks.push(c));
  if (opts.input !== undefined) git.stdin!.end(opts.input);
  const exit = await git.exited;
  return { ...exit, stdout: Buffer.concat(chunks) };
}

/** Runs git; resolves with stdout as bytes, rejects with a GitError on a non-zero exit. */
export async function runGitBuffer(cwd: string, args: string[], opts: RunGitOptions = {}): Promise<Buffer> {
  const r = await runGitResult(cwd, args, opts);
  if (r.exitCode !== 0) throw gitFailure(args, r.exitCode, r.signal, r.stderr);
  return r.stdout;
}

/** Runs git; resolves with stdout as UTF-8 text, rejects with a GitError on a non-zero exit. */
export async function runGit(cwd: string, args: string[], opts: RunGitOptions = {}): Promise<string> {
  return (await runGitBuffer(cwd, args, opts)).toString('utf8');
}
