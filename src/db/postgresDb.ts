import { binaryFloat4Array } from './binaryFloat4Array.js';
import pg from 'pg';
import { isConnectionError } from './connectionErrors.js';
import { PermissionDeniedError, isPermissionDenied } from './permissionErrors.js';
import { abortsLater, finishStatementMs, type Db, type Queryable, type QueryOptions, type QueryResult } from './Db.js';

const types = {
  getTypeParser: ((oid: number, format?: string) => {
    // int8 and numeric as JS numbers, like the PGLite adapter. Counts and ids stay far below 2^53.
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Most connections this process opens (import workers + heartbeat + spare). */
  maxConnections?: number;
}

export async function openPostgresDb(url: string, display: string, opts: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.maxConnections ?? 10,
    types,
    connectionTimeoutMillis: 15_000,
    application_name: 'brainsync',
    // Lets the OS notice a server that vanished without closing the socket (host down, network cut).
    keepAlive: true,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query reconnects.
  pool.on('error', () => {});
  // Every client also keeps a listener of its own for its whole life. pg parses all the
  // messages of one TCP read in one go, so a server shutting down can send ReadyForQuery and
  // its FATAL goodbye together: the pool hands the client out (dropping its idle listener)
  // and the goodbye is emitted before the caller has attached anything.
  pool.on('connect', (client) => client.on('error', (err: Error) => void (firstErrorHeard.has(client) || firstErrorHeard.set(client, err))));
  const client = await pool.connect().catch((err: unknown) => {
    // No CONNECT on the database ("permission denied for database …") comes at connect time.
    throw isPermissionDenied(err) ? new PermissionDeniedError(connectingUser(url), err) : err;
  });
  client.release();
  const db = new PostgresDb(pool, url, display);
  db.capabilities.vector = await tryEnableVector(pool);
  db.capabilities.vectorIndex = db.capabilities.vector;
  return db;
}

/** The user a connection to `url` logs in as: the URL's, else pg's defaults (PGUSER, the OS user). */
function connectingUser(url: string): string {
  return new pg.Client({ connectionString: url }).user ?? 'unknown';
}

async function tryEnableVector(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('create extension if not exists vector');
    return true;
  } catch {
    // No pgvector on this server (or no right to create it): the brain still syncs;
    // commands that need vectors say so.
    return false;
  }
}

class PostgresDb implements Db {
  readonly capabilities = { multiConnection: true, advisoryLocks: true, vector: false, vectorIndex: false, exclusive: false, autovacuum: true };
  private readonly health: Health = { silent: null };
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    readonly target: string,
  ) {}

  async query<T>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
    opts?.signal?.throwIfAborted();
    const conn = await checkout(this.pool, this.health, opts?.signal);
    try {
      return await runQuery<T>(conn, this.url, sql, params, opts);
    } finally {
      conn.release();
    }
  }

  async exec(sql: string, opts?: QueryOptions): Promise<void> {
    await this.query(sql, undefined, opts);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: QueryOptions): Promise<T> {
    opts?.signal?.throwIfAborted();
    const conn = await checkout(this.pool, this.health, opts?.signal);
    // Statements inside the transaction stop with the transaction's signal unless given their own.
    const tx: Queryable = {
      query: (sql, params, o) => runQuery(conn, this.url, sql, params, o ?? opts),
      exec: async (sql, o) => void (await runQuery(conn, this.url, sql, undefined, o ?? opts)),
    };
    try {
      await runQuery(conn, this.url, 'begin', undefined, opts);
      const result = await fn(tx);
      // A commit is sent whatever the signal says (the work before it is done), but a server that
      // does not answer it within a grace after the signal must not hold the caller forever.
      const late = opts?.signal ? abortsLater(opts.signal, finishStatementMs) : null;
      try {
        await runQuery(conn, this.url, 'commit', undefined, late ? { signal: late.signal } : undefined);
      } finally {
        late?.dispose();
      }
      return result;
    } catch (err) {
      // On a lost connection the server has already rolled back; there is nothing to send.
      if (!conn.lost) {
        await runQuery(conn, this.url, 'rollback', undefined, { signal: AbortSignal.timeout(finishStatementMs) }).catch(() => (conn.broken = true));
      }
      throw err;
    } finally {
      conn.release();
    }
  }

  /**
   * Ends the pool. A server that stopped answering (frozen, or a network that drops packets
   * silently) would keep a statement, and so the pool's end, waiting forever: after
   * `closeGraceMs` the remaining connections are cut, and the command goes on to report.
   */
  async close(): Promise<void> {
    const ended = this.pool.end();
    let timer: NodeJS.Timeout | undefined;
    const wait = this.health.silent ? 0 : closeGraceMs;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), wait)));
    try {
      if ((await Promise.race([ended, late])) === 'late') {
        for (const client of (this.pool as unknown as { _clients?: pg.ClientBase[] })._clients ?? []) cutConnection(client);
        ended.catch(() => {});
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** How long a statement may go on after its signal aborted (and a cancel was sent) before its connection is cut. */
export const abortGraceMs = 3_000;
const closeGraceMs = 5_000;

/** Closes the client's socket at once: its pending statement fails with a connection error. */
function cutConnection(client: pg.ClientBase): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/**
 * A pool client while one caller holds it. The pool listens for errors only on idle clients;
 * a checked-out client whose connection breaks (server restart, pg_terminate_backend, network)
 * emits 'error', which with no listener crashes the process. Here the error is kept and given
 * to the caller: its pending statement rejects, its next one fails at once, and the client is
 * destroyed on release instead of going back to the pool.
 */
interface Conn {
  client: pg.PoolClient;
  health: Health;
  /** The connection broke while checked out. */
  lost: Error | null;
  /** Unfit for reuse: a cancel for one of its statements may still land, or a rollback failed. */
  broken: boolean;
  release(): void;
}

/** The first error each client heard (lifelong listener): a checkout starts from it, since it may have come before the checkout could listen. */
const firstErrorHeard = new WeakMap<pg.ClientBase, Error>();

/**
 * Whether the server stopped answering: set when a statement had to be cut off (it got no
 * answer `abortGraceMs` after its cancel), cleared by the next statement that completes. While
 * set, a statement waits at most `silentConnectMs` for a connection, then fails as a lost
 * connection, instead of each waiting on a server that does not answer (a new connection
 * alone would wait for its 15 s timeout); a server that was only slow gets its chance.
 */
interface Health {
  silent: Error | null;
}

const silentConnectMs = 2_000;

async function checkout(pool: pg.Pool, health: Health, signal?: AbortSignal): Promise<Conn> {
  const silent = health.silent;
  const bound = silent ? AbortSignal.any([AbortSignal.timeout(silentConnectMs), ...(signal ? [signal] : [])]) : signal;
  const client = await untilAborted(pool.connect(), bound, (late) => late.release()).catch((err: unknown) => {
    throw silent && !signal?.aborted ? silent : err;
  });
  const conn: Conn = { client, health, lost: firstErrorHeard.get(client) ?? null, broken: false, release: () => {} };
  const onError = (err: Error) => void (conn.lost ??= err);
  client.on('error', onError);
  conn.release = () => {
    client.removeListener('error', onError);
    client.release(conn.lost ?? conn.broken);
  };
  return conn;
}

/** `pending`, or the signal's reason if it aborts first (what comes later is handed to `discard`). */
async function untilAborted<T>(pending: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void): Promise<T> {
  if (!signal) return pending;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    if (signal.aborted) pending.then(discard, () => {});
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * node-postgres would send a Float32Array as its raw bytes, which Postgres cannot read as
 * `real[]`. It goes as a Buffer in Postgres's binary array format instead (node-postgres sends
 * a Buffer as a binary parameter; the statement's `$n::real[]` gives it its type), so no float
 * is printed in JS or parsed by the server.
 */
function paramForPg(param: unknown): unknown {
  const binary = binaryFloat4Array(param);
  return binary ? Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength) : param;
}

/** Runs one statement; an abort cancels it on the server (pg_cancel_backend) and rejects with the signal's reason. */
async function runQuery<T>(
  conn: Conn,
  url: string,
  sql: string,
  params: unknown[] | undefined,
  opts: QueryOptions | undefined,
): Promise<QueryResult<T>> {
  const { client } = conn;
  const signal = opts?.signal;
  signal?.throwIfAborted();
  if (conn.lost) throw conn.lost;
  const pid = (client as unknown as { processID: number }).processID;
  let cut: NodeJS.Timeout | undefined;
  const onAbort = () => {
    conn.broken = true;
    void cancelBackend(url, pid);
    // A server that does not answer the cancel either (frozen, unreachable) would hold the
    // statement, and the run, past every budget and signal: its connection is cut instead.
    cut = setTimeout(() => {
      conn.health.silent ??= new Error(`Connection terminated: the database did not answer a cancelled statement within ${abortGraceMs / 1000} s`);
      cutConnection(client);
    }, abortGraceMs);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // A multi-statement string (exec) answers with one result per statement: report the last.
    const answer = (await client.query(sql, params?.map(paramForPg))) as pg.QueryResult | pg.QueryResult[];
    conn.health.silent = null;
    const res = Array.isArray(answer) ? answer[answer.length - 1] : answer;
    if (!res) return { rows: [], rowCount: 0 };
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
  } catch (err) {
    // The server's own word (e.g. "terminating connection due to administrator command")
    // comes before the socket closes: remember it, so the client is destroyed on release.
    if (isConnectionError(err)) conn.lost ??= err as Error;
    if (signal?.aborted) throw signal.reason;
    // Named here, where the connected user is known: every command and every source's result
    // then says whose rights fall short and what to grant, instead of "unexpected failure".
    if (isPermissionDenied(err)) throw new PermissionDeniedError(client.user ?? connectingUser(url), err);
    throw err;
  } finally {
    clearTimeout(cut);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function cancelBackend(url: string, pid: number): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('select pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the statement finishes on its own and the caller has already moved on.
  } finally {
    await c.end().catch(() => {});
  }
}
