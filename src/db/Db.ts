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
