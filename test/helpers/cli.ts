import { spawn, type ChildProcess } from 'node:child_process';
import type { SourceResult } from '../../src/core/result.js';
import type { BreakVerdict } from '../../src/locks/breakLock.js';
import { mkdir, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { testModelsDir } from './embed.js';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Db } from '../../src/db/Db.js';
import { openTestDb, type TestBrain } from './brains.js';
import { makeTempDir, runTestGit } from './gitRepo.js';

/**
 * Spawns the real CLI (`node bin/brainsync.js`, which runs the compiled dist/) as its own
 * process, so that signals, exit codes, kill -9 and two processes racing for one lock are
 * exercised exactly as cron would exercise them. Build first: `npx tsc -p tsconfig.json`.
 */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/brainsync.js', import.meta.url));

export interface CliResult {
  /** Exit status; null when the process died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly args: string[];
  readonly startedAt: number;
  /** Output so far (complete once `exited` settles). */
  stdout(): string;
  stderr(): string;
  /** Whether the process has exited. */
  done(): boolean;
  /** Settles when the process has exited and its output is drained; never rejects. */
  readonly exited: Promise<CliResult>;
}

export interface CliOptions {
  /** The brain, as --db takes it; omitted → no --db flag at all. */
  db?: string | TestBrain;
  /** Extra environment for the CLI (and for the git it starts). */
  env?: Record<string, string>;
  cwd?: string;
  /** Run the CLI as this user and group (tests running as root use it to meet real permissions). */
  user?: { uid: number; gid: number };
}

const running = new Set<CliProcess>();
let defaultHome: Promise<string> | null = null;

/**
 * Where spawned CLIs keep their mirrors of clone-URL sources: a temp dir, never the user's
 * ~/.local/share/brainsync.
 */
function brainsyncHome(): Promise<string> {
  defaultHome ??= makeTempDir('brainsync-home-').then(async (home) => {
    // Every spawned CLI shares one GloVe cache: converting it per test would cost ~1.5 s each.
    await mkdir(testModelsDir, { recursive: true });
    await symlink(testModelsDir, join(home, 'models'));
    return home;
  });
  return defaultHome;
}

/** Removes the BRAINSYNC_HOME the spawned CLIs used (a later spawn gets a new one). */
export async function removeCliHome(): Promise<void> {
  const home = defaultHome;
  defaultHome = null;
  if (home) await rm(await home, { recursive: true, force: true });
}

/** Starts `brainsync [--db X] ...args` and returns at once. */
export async function startCli(args: string[], opts: CliOptions = {}): Promise<CliProcess> {
  const db = typeof opts.db === 'string' ? opts.db : opts.db?.arg;
  const fullArgs = [...(db !== undefined ? ['--db', db] : []), ...args];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BRAINSYNC_HOME: await brainsyncHome(),
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...opts.env,
  };
  // The brain is always given explicitly; a developer's own database must never be touched.
  delete env.BRAINSYNC_DATABASE_URL;
  delete env.DATABASE_URL;
  if (opts.env?.BRAINSYNC_DATABASE_URL) env.BRAINSYNC_DATABASE_URL = opts.env.BRAINSYNC_DATABASE_URL;
  const startedAt = Date.now();
  const child = spawn(process.execPath, [binPath, ...fullArgs], {
    cwd: opts.cwd ?? repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  let finished = false;
  const exited = new Promise<CliResult>((resolve) => {
    child.on('error', (e) => {
      err += `\n[spawn error: ${e.message}]`;
    });
    child.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - startedAt });
    });
  });
  const proc: CliProcess = {
    child,
    pid: child.pid!,
    args: fullArgs,
    startedAt,
    stdout: () => out,
    stderr: () => err,
    done: () => finished,
    exited,
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

/** Runs the CLI to completion; kills it and fails when it takes longer than timeoutMs. */
export async function runCli(args: string[], opts: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const proc = await startCli(args, opts);
  return waitForExit(proc, opts.timeoutMs ?? 90_000);
}

/** The exit of a running CLI; kills it with SIGKILL and throws after timeoutMs. */
export async function waitForExit(proc: CliProcess, timeoutMs = 60_000): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      reject(new Error(`brainsync ${proc.args.join(' ')} did not exit within ${timeoutMs} ms\n${describeRun(proc)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends a signal to a running CLI; returns the time it was sent. */
export function sendSignal(proc: CliProcess, sig: NodeJS.Signals): number {
  if (proc.done()) throw new Error(`cannot send ${sig}: brainsync ${proc.args.join(' ')} has already exited\n${describeRun(proc)}`);
  process.kill(proc.pid, sig);
  return Date.now();
}

/** SIGKILLs every CLI these tests started that is still running, and waits for them. For afterEach. */
export async function killAllCli(): Promise<void> {
  const procs = [...running];
  for (const p of procs) if (!p.done()) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}

/**
 * Polls `check` until it returns a value other than undefined/false, failing after timeoutMs
 * (or at once when `alive` names a process that has exited: what we wait for will not come).
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; alive?: CliProcess } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (opts.alive?.done()) {
      // One last look: it may have happened just before the exit.
      const last = await check();
      if (last !== undefined && last !== false) return last;
      throw new Error(`gave up waiting for ${what}: the process exited first\n${describeRun(opts.alive)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${opts.timeoutMs ?? 30_000} ms${opts.alive ? `\n${describeRun(opts.alive)}` : ''}`);
    }
    await sleep(opts.intervalMs ?? 50);
  }
}

/**
 * Waits until the CLI's stderr has a line matching `pattern`, e.g. a phase line
 * (`notes: apply — full compare ...`, `notes: pull`); returns the line.
 */
export function waitForStderr(proc: CliProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitUntil(
    `stderr matching ${pattern}`,
    () => proc.stderr().split('\n').find((l) => pattern.test(l)),
    { timeoutMs, intervalMs: 20, alive: proc },
  );
}

/** Waits until a phase line `SOURCE: PHASE` shows on stderr (lock, pull, plan, apply, bookmark). */
export function waitForPhase(proc: CliProcess, source: string, phase: string, timeoutMs = 60_000): Promise<string> {
  return waitForStderr(proc, new RegExp(`^${escapeRe(source)}: ${escapeRe(phase)}\\b`), timeoutMs);
}

/**
 * Waits until the brain holds at least n pages of the source (Postgres only: a PGLite brain
 * cannot be read while the CLI holds it). Returns the count seen.
 */
export async function waitForPages(
  brain: TestBrain,
  source: string,
  n: number,
  opts: { timeoutMs?: number; alive?: CliProcess } = {},
): Promise<number> {
  if (brain.target.kind !== 'postgres') throw new Error('waitForPages needs a Postgres brain: PGLite allows one process');
  return waitUntil(
    `${n} pages of ${source}`,
    async () => {
      const c = await countPages(brain, source);
      return c >= n ? c : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 25, alive: opts.alive },
  );
}

/** One statement against a Postgres brain on a short-lived connection (runs while the CLI works). */
export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  brain: TestBrain,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<T>> {
  if (brain.target.kind !== 'postgres') throw new Error('pgQuery needs a Postgres brain');
  const c = new pg.Client({ connectionString: brain.target.url });
  await c.connect();
  try {
    return await c.query<T>(sql, params);
  } finally {
    await c.end();
  }
}

/**
 * Opens the brain in this process, runs fn and closes it. For PGLite this takes the
 * directory lock, so no CLI may be running on the brain meanwhile.
 */
export async function withDb<T>(brain: TestBrain, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openTestDb(brain, { create: false });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Any query, on either backend: a short connection on Postgres, an in-process open on PGLite. */
export async function query<T>(brain: TestBrain, sql: string, params: unknown[] = []): Promise<T[]> {
  if (brain.target.kind === 'postgres') return (await pgQuery(brain, sql, params)).rows as T[];
  return withDb(brain, async (db) => (await db.query<T>(sql, params)).rows);
}

export async function countPages(brain: TestBrain, source: string): Promise<number> {
  const rows = await query<{ n: number }>(
    brain,
    'select count(*)::int as n from pages p join sources s on s.id = p.source_id where s.name = $1',
    [source],
  );
  return rows[0].n;
}

/** path → blob oid of a source's pages. */
export async function brainPages(brain: TestBrain, source: string): Promise<Map<string, string>> {
  const rows = await query<{ path: string; oid: string }>(
    brain,
    'select p.path, p.blob_oid as oid from pages p join sources s on s.id = p.source_id where s.name = $1 order by p.path',
    [source],
  );
  return new Map(rows.map((r) => [r.path, r.oid]));
}

export async function bookmark(brain: TestBrain, source: string): Promise<string | null> {
  const rows = await query<{ b: string | null }>(brain, 'select bookmark_commit as b from sources where name = $1', [source]);
  return rows[0]?.b ?? null;
}

export interface LockRow {
  name: string;
  token: string;
  holder_host: string;
  holder_pid: number;
  holder_command: string;
  run_id: string;
  heartbeat_age: number;
  expired: boolean;
}

export async function lockRow(brain: TestBrain, source: string): Promise<LockRow | null> {
  const rows = await query<LockRow>(
    brain,
    `select name, token, holder_host, holder_pid, holder_command, run_id,
            extract(epoch from now() - heartbeat_at)::float8 as heartbeat_age, expires_at <= now() as expired
       from sync_locks where name = $1`,
    [source],
  );
  return rows[0] ?? null;
}

export interface RunRow {
  run_id: string;
  status: string;
  reason: string | null;
  holder_pid: number;
}

export async function runsOf(brain: TestBrain, source: string): Promise<RunRow[]> {
  return query<RunRow>(
    brain,
    'select run_id, status, reason, holder_pid from sync_runs where source_name = $1 order by id',
    [source],
  );
}

/** path → blob oid of the markdown files in a commit (what a converged brain must hold). */
export async function repoPages(dir: string, rev = 'HEAD'): Promise<Map<string, string>> {
  const out = await runTestGit(dir, ['ls-tree', '-r', '-z', rev]);
  const map = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [mode, type, oid] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (type === 'blob' && mode !== '120000' && /\.(md|markdown)$/i.test(path)) map.set(path, oid);
  }
  return map;
}

/** The one JSON document `--json` prints on stdout. */
export function jsonOf<T = SyncJson>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document\n${describeRun(r)}`);
  }
}

/** `sync --json` is the library's own result objects, serialised. */
export type SyncSourceJson = SourceResult;
export type LockVerdictJson = BreakVerdict;

export interface SyncJson {
  exitCode: number;
  locks?: LockVerdictJson[];
  sources: SyncSourceJson[];
}

/** The single source result of a one-source `sync --json`. */
export function resultOf(r: CliResult): SyncSourceJson {
  const doc = jsonOf<SyncJson>(r);
  if (doc.sources.length !== 1) throw new Error(`expected one source result, got ${doc.sources.length}`);
  return doc.sources[0];
}

/** A readable account of a CLI run for assertion messages. */
export function describeRun(r: CliResult | CliProcess): string {
  if ('exited' in r) {
    return `brainsync ${r.args.join(' ')} (pid ${r.pid}, ${r.done() ? 'exited' : 'running'})\n--- stdout ---\n${tail(r.stdout())}\n--- stderr ---\n${tail(r.stderr())}`;
  }
  return `exit ${r.code ?? r.signal} after ${r.ms} ms\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

function tail(s: string, n = 4000): string {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

/** Whether a process with this pid exists and is not a zombie. */
export async function processRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stateOf(stat) !== 'Z';
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes in a process group, read from /proc (Linux). */
export async function processGroupMembers(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the comm: state ppid pgrp ...
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(name));
  }
  return pids;
}

export async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

function stateOf(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Live (non-zombie) processes whose command line contains `text` (e.g. a test's temp dir). */
export async function processesMatching(text: string): Promise<Array<{ pid: number; cmd: string }>> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
    if (cmd.includes(text) && (await processRunning(Number(name)))) found.push({ pid: Number(name), cmd });
  }
  return found;
}
