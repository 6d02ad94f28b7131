/** brainsync as cron starts it: its own process, optionally under timeout(1). */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { binPath } from '../test/helpers/cli.js';

export interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Proc {
  /** The pid of timeout(1) when there is one, else of brainsync. */
  pid: number;
  done: () => boolean;
  exited: Promise<Exit>;
}

/** Starts `node bin/brainsync.js ...args` with its own BRAINSYNC_HOME, under `timeout -k 10 OUTER` when given. */
export function startBrainsync(args: string[], opts: { home: string; outer?: number }): Proc {
  const cli = [process.execPath, binPath, ...args];
  const argv = opts.outer ? ['timeout', '-k', '10', String(opts.outer), ...cli] : cli;
  const env: NodeJS.ProcessEnv = {
    ...process.env, BRAINSYNC_HOME: opts.home, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  };
  // The brain is always given with --db: a developer's own database is never touched.
  delete env.BRAINSYNC_DATABASE_URL;
  delete env.DATABASE_URL;
  const started = Date.now();
  const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let finished = false;
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - started });
    }),
  );
  return { pid: child.pid!, done: () => finished, exited };
}

/** The pid of the process timeout(1) started (brainsync), or null once there is none. */
export async function childOf(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const first = text.trim().split(/\s+/)[0];
  return first ? Number(first) : null;
}
