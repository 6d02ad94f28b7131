export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
}

/** What both adapters can do; callers branch on these, never on an engine name. */
export interface DbCapabilities {
  /** Several connections can work at once (parallel import workers, concurrent sources). */
  multiConnection: boolean;
  /** pg_advisory_lock works across processes. */
  advisoryLocks: boolean;
  /** The pgvector extension is installed and usable. */
  vector: boolean;
  /**
   * A pgvector index on embeddings may exist: every process that writes the brain has the
   * extension (a server's). A PGLite process opened without pgvector could not write a table
   * that carries one, and sync opens without it to start fast.
   */
  vectorIndex: boolean;
  /**
   * Only this process can have the brain open (PGLite's directory lock), so any source-lock
   * row held by another process was left by one that died.
   */
  exclusive: boolean;
  /**
   * The server vacuums tables by itself. PGLite runs no autovacuum: a table emptied after a
   * big backlog keeps its dead pages, and every later scan reads them (see compactDrainedQueue).
   */
  autovacuum: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    opts?: QueryOptions,
  ): Promise<QueryResult<T>>;
  exec(sql: string, opts?: QueryOptions): Promise<void>;
}

export interface Db extends Queryable {
  /** Where this brain lives, safe to print (no password). */
  readonly target: string;
  readonly capabilities: DbCapabilities;
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: QueryOptions): Promise<T>;
  close(): Promise<void>;
}

/**
 * How long one bookkeeping statement at the end of a run (lock release, run record, status
 * manifest) may wait for the database before it is given up: a server that stopped answering
 * must not keep a finished run from reporting (the lock then expires by itself).
 */
export const finishStatementMs = 5_000;

/** The same database, each statement given up after `ms` unless the caller gave its own signal. */
export function withStatementTimeout(db: Queryable, ms: number): Queryable {
  return {
    query: (sql, params, opts) => db.query(sql, params, opts ?? { signal: AbortSignal.timeout(ms) }),
    exec: (sql, opts) => db.exec(sql, opts ?? { signal: AbortSignal.timeout(ms) }),
  };
}

/**
 * The same brain, each statement and transaction that has no signal of its own given `signal`
 * (a run's hang guard: see syncSource). Capabilities, target and close are the brain's.
 */
export function withDefaultSignal(db: Db, signal: AbortSignal): Db {
  return {
    target: db.target,
    capabilities: db.capabilities,
    query: (sql, params, opts) => db.query(sql, params, opts ?? { signal }),
    exec: (sql, opts) => db.exec(sql, opts ?? { signal }),
    transaction: (fn, opts) => db.transaction(fn, opts ?? { signal }),
    close: () => db.close(),
  };
}

/** A signal that aborts `ms` after `signal` does (and its timer, cleared by dispose). */
export function abortsLater(signal: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => (timer = setTimeout(() => ctl.abort(signal.reason), ms));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ctl.signal,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
