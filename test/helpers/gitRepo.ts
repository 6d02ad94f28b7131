import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Test git ignores the machine's global and system config (signing, hooks, default branch). */
const TEST_GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

export interface TestRepo {
  dir: string;
  /** Writes a file in the working tree, creating parent directories. */
  write(path: string, content: string | Buffer): Promise<void>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  symlink(path: string, target: string): Promise<void>;
  /** `git add -A` + commit (empty commits allowed); returns the new HEAD's sha. */
  commit(message: string): Promise<string>;
  /** Runs git in the repository; returns stdout without its trailing newline. */
  git(args: string[]): Promise<string>;
  /** Removes the repository directory. */
  cleanup(): Promise<void>;
}

export interface CreateRepoOptions {
  /** Initial branch; default `main`. */
  branch?: string;
  /** A bare repository (write/commit then make no sense; use git()). */
  bare?: boolean;
  /** Directory to use instead of a fresh temp dir (created if missing). */
  dir?: string;
}

export async function runTestGit(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: TEST_GIT_ENV, maxBuffer: 256 * 1024 * 1024 });
  return stdout.replace(/\n$/, '');
}

export async function makeTempDir(prefix = 'brainsync-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A real git repository in a temp dir, with a local identity and default branch `main`. */
export async function createRepo(opts: CreateRepoOptions = {}): Promise<TestRepo> {
  const dir = opts.dir ?? (await makeTempDir('brainsync-repo-'));
  await mkdir(dir, { recursive: true });
  const git = (args: string[]): Promise<string> => runTestGit(dir, args);
  await git(['init', '--quiet', `--initial-branch=${opts.branch ?? 'main'}`, ...(opts.bare ? ['--bare'] : [])]);
  await git(['config', 'user.name', 'Test User']);
  await git(['config', 'user.email', 'test@example.com']);
  await git(['config', 'commit.gpgsign', 'false']);
  const abs = (p: string): string => join(dir, p);
  return {
    dir,
    git,
    async write(path, content) {
      await mkdir(dirname(abs(path)), { recursive: true });
      await writeFile(abs(path), content);
    },
    async remove(path) {
      await rm(abs(path), { recursive: true });
    },
    async rename(from, to) {
      await mkdir(dirname(abs(to)), { recursive: true });
      await rename(abs(from), abs(to));
    },
    async symlink(path, target) {
      await mkdir(dirname(abs(path)), { recursive: true });
      await symlink(target, abs(path));
    },
    async commit(message) {
      await git(['add', '-A']);
      await git(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message]);
      return git(['rev-parse', 'HEAD']);
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
