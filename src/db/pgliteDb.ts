import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, Queryable, QueryOptions, QueryResult } from './Db.js';

/** Same number parsing as the pg adapter: int8 and numeric come back as JS numbers. */
const parsers = { 20: Number, 1700: Number };

export async function openPgliteDb(dir: string): Promise<Db> {
  const pg = await PGlite.create(dir, { extensions: { vector }, parsers });
  await pg.exec('create extension if not exists vector');
  return new PgliteDb(pg, dir);
}

class PgliteDb implements Db {
  readonly capabilities = { multiConnection: false, advisoryLocks: false, vector: true };
  constructor(
    private readonly pg: PGlite,
    readonly target: string,
  ) {}

  query<T>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
    return runQuery<T>(this.pg, sql, params, opts);
  }

  async exec(sql: string, opts?: QueryOptions): Promise<void> {
    opts?.signal?.throwIfAborted();
    await this.pg.exec(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: QueryOptions): Promise<T> {
    opts?.signal?.throwIfAborted();
    return this.pg.transaction((tx) => fn(wrapTx(tx)));
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}

// PGLite runs a statement to completion inside its wasm instance; it cannot be interrupted,
// so the signal is honoured between statements.
async function runQuery<T>(
  pg: PGlite | Transaction,
  sql: string,
  params: unknown[] | undefined,
  opts: QueryOptions | undefined,
): Promise<QueryResult<T>> {
  opts?.signal?.throwIfAborted();
  const res = await pg.query<T>(sql, params);
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

function wrapTx(tx: Transaction): Queryable {
  return {
    query: (sql, params, opts) => runQuery(tx, sql, params, opts),
    exec: async (sql, opts) => {
      opts?.signal?.throwIfAborted();
      await tx.exec(sql);
    },
  };
}
