import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freshBrain, type BackendName, type TestBrain } from '../helpers/brains.js';
import { afterAll } from 'vitest';
import { createRepo, makeTempDir, runTestGit, type TestRepo } from '../helpers/gitRepo.js';
import { addSource } from '../../src/core/addSource.js';
import { processGroupOf, processesMatching, removeCliHome, repoPages, withDb } from '../helpers/cli.js';

const execFileAsync = promisify(execFile);

/**
 * Corpus sizes. A Postgres import of the corpus runs at roughly 800–900 pages/s with two
 * workers on a 2-core machine, a PGLite one at roughly 400 pages/s, so these make a sync last
 * several seconds — time to kill it mid-import — without making the suite slow.
 */
export const corpusPages = { postgres: 4000, pglite: 3000 } as const;

export interface Corpus {
  dir: string;
  head: string;
  /** path → blob oid at HEAD. */
  pages: Map<string, string>;
}

/** bench/corpus.mjs: plain JavaScript without type declarations, so imported by URL. */
const corpusModule = new URL('../../bench/corpus.mjs', import.meta.url).href;

/** A deterministic repository of n markdown pages in one commit (bench/corpus.mjs). */
export async function makeCorpus(pages: number, seed = 1): Promise<Corpus> {
  const dir = join(await tempDir('brainsync-corpus-'), 'repo');
  const { createCorpusRepo } = (await import(corpusModule)) as {
    createCorpusRepo: (dir: string, opts: { pages: number; seed: number }) => Promise<{ head: string }>;
  };
  const { head } = await createCorpusRepo(dir, { pages, seed });
  return { dir, head, pages: await repoPages(dir, head) };
}

const temps = new Set<string>();

/** A temp dir that removeTemps() deletes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  temps.add(dir);
  return dir;
}

/** freshBrain, with a PGLite brain's directory removed by removeTemps(). */
export async function processBrain(backend: BackendName): Promise<TestBrain> {
  const brain = await freshBrain(backend);
  if (brain.target.kind === 'pglite') temps.add(dirname(brain.target.dir));
  return brain;
}

/** For afterAll: removes the corpora, remotes and PGLite brains this file made (hundreds of MB). */
export async function removeTemps(): Promise<void> {
  await Promise.all([...temps].map((d) => rm(d, { recursive: true, force: true })));
  temps.clear();
  remotes.clear();
  await removeCliHome();
}

/**
 * A fresh brain (migrated template) with one local source added in-process (no CLI start).
 * For PGLite the brain is closed again before returning, so a CLI can open it.
 */
export async function brainWithSource(
  backend: BackendName,
  name: string,
  repo: string,
  opts: { branch?: string } = {},
): Promise<TestBrain> {
  const brain = await processBrain(backend);
  await withDb(brain, (db) => addSource(db, { name, repo, branch: opts.branch, cwd: process.cwd() }));
  return brain;
}

/**
 * For a describe block: a repository with one note (removed after the block), and per call a
 * fresh brain with it as source `notes`.
 */
export function useOneNoteBrains(backend: BackendName): () => Promise<TestBrain> {
  let repo: TestRepo | undefined;
  afterAll(async () => {
    await repo?.cleanup();
  });
  return async () => {
    repo ??= await createRepo();
    await repo.write('a.md', '# A\n\nText.\n');
    await repo.commit('first');
    return brainWithSource(backend, 'notes', repo.dir);
  };
}

export interface History {
  /** A small base commit: 200 of the corpus pages (100 of them in an older version) + 20 pages that later go. */
  base: string;
  /** Child of base holding exactly the corpus tree: ~2,900 imports and 20 deletes away from base. */
  full: string;
  /** path → blob at `full`. */
  pages: Map<string, string>;
  /** Numbers of the base → full diff. */
  diff: { imports: number; deletes: number };
}

/**
 * Builds a two-commit history in the corpus repository without touching its working tree or
 * its branches (plumbing on a private index), so that tests can point their own branch at
 * `base`, sync it cheaply, then move it to `full` to get a first sync's worth of incremental work.
 */
export async function makeHistory(corpus: Corpus): Promise<History> {
  const git = (args: string[], input?: string, env: Record<string, string> = {}) => gitIn(corpus.dir, args, input, env);
  const index = join(corpus.dir, '.git', 'brainsync-test-index');
  const env = { GIT_INDEX_FILE: index };
  await rm(index, { force: true });
  await git(['read-tree', '--empty'], undefined, env);
  const paths = [...corpus.pages.keys()];
  const kept = paths.slice(0, 200);
  const lines: string[] = [];
  for (const [i, path] of kept.entries()) {
    let oid = corpus.pages.get(path)!;
    if (i % 2 === 0) {
      const old = (await git(['cat-file', 'blob', oid])) + '\nAn older paragraph that the next commit drops.\n';
      oid = (await git(['hash-object', '-w', '--stdin'], old)).trim();
    }
    lines.push(`100644 ${oid}\t${path}`);
  }
  for (let i = 0; i < 20; i++) {
    const oid = (await git(['hash-object', '-w', '--stdin'], `---\ntitle: Gone ${i}\n---\n# Gone ${i}\n\nA page the next commit deletes (${i}).\n`)).trim();
    lines.push(`100644 ${oid}\told/gone-${i}.md`);
  }
  await git(['update-index', '--add', '--index-info'], lines.join('\n') + '\n', env);
  const baseTree = (await git(['write-tree'], undefined, env)).trim();
  await rm(index, { force: true });
  const stamp = { GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' };
  const base = (await git(['commit-tree', baseTree, '-m', 'base'], undefined, stamp)).trim();
  const full = (await git(['commit-tree', `${corpus.head}^{tree}`, '-p', base, '-m', 'many changes'], undefined, stamp)).trim();
  return { base, full, pages: corpus.pages, diff: { imports: paths.length - 100, deletes: 20 } };
}

/** Points (or creates) a branch at a commit. */
export async function setBranch(dir: string, branch: string, commit: string): Promise<void> {
  await runTestGit(dir, ['update-ref', `refs/heads/${branch}`, commit]);
}

async function gitIn(dir: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<string> {
  const baseEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test User',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test User',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    LC_ALL: 'C',
    ...env,
  };
  if (input === undefined) {
    const { stdout } = await execFileAsync('git', args, { cwd: dir, env: baseEnv, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd: dir, env: baseEnv, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(input);
  });
}

/** Writes an executable shell script. */
export async function writeScript(path: string, body: string): Promise<string> {
  await writeFile(path, `#!/bin/sh\n${body}`);
  await chmod(path, 0o755);
  return path;
}

export interface SshRemote {
  /** A clone URL brainsync treats as remote: ssh://fakehost/<bare repo path>. */
  url: string;
  /** The temp dir holding everything of this remote (its path is in every process it starts). */
  root: string;
  /** Environment for a fast transport (sources add runs git ls-remote). */
  fastEnv: Record<string, string>;
  /**
   * A transport that sleeps `seconds` before serving the fetch. Each connection appends the
   * pid of its ssh stand-in to `pidFile`.
   */
  slow(seconds: number): Promise<{ env: Record<string, string>; pidFile: string }>;
}

/**
 * A bare repository served through GIT_SSH_COMMAND: a script that stands in for ssh and
 * runs the requested git-upload-pack on the local path. brainsync passes its environment
 * to git, so the CLI's fetch goes through it.
 */
export async function makeSshRemote(files: Record<string, string>): Promise<SshRemote> {
  const root = await tempDir('brainsync-remote-');
  const work = join(root, 'work');
  await gitIn(root, ['init', '-q', '-b', 'main', work]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(work, path, '..'), { recursive: true });
    await writeFile(join(work, path), text);
  }
  await gitIn(work, ['add', '-A']);
  await gitIn(work, ['commit', '-q', '-m', 'notes']);
  const bare = join(root, 'notes.git');
  await gitIn(root, ['clone', '-q', '--bare', work, bare]);
  const script = async (name: string, seconds: number) => {
    const pidFile = join(root, `${name}.pids`);
    const path = await writeScript(
      join(root, name),
      [
        // git first probes which ssh this is with -G; answer like OpenSSH.
        'case "$1" in -G) exit 0;; esac',
        'for last; do :; done',
        `echo $$ >> '${pidFile}'`,
        seconds > 0 ? `sleep ${seconds}` : '',
        'exec sh -c "$last"',
        '',
      ].join('\n'),
    );
    return { env: { GIT_SSH_COMMAND: path }, pidFile };
  };
  remotes.add(root);
  return {
    url: `ssh://fakehost${bare}`,
    root,
    fastEnv: (await script('ssh-fast', 0)).env,
    slow: (seconds) => script(`ssh-slow-${seconds}`, seconds),
  };
}

const remotes = new Set<string>();

/**
 * For afterEach: a test that failed half-way may leave a fetch of one of these remotes
 * running (git leads its own process group, so killing the CLI does not end it). Kills the
 * process groups of the ssh stand-ins these remotes started, and nothing else.
 */
export async function killRemoteProcesses(): Promise<void> {
  for (const root of remotes) {
    for (const { pid } of await processesMatching(root)) {
      const pgid = await processGroupOf(pid).catch(() => null);
      try {
        if (pgid !== null && pgid !== process.pid) process.kill(-pgid, 'SIGKILL');
        else process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
