import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { binaryFloat4Array, float4ArrayOid } from './binaryFloat4Array.js';
import { binaryTextArray, textArrayOid } from './binaryTextArray.js';
import type { Db, Queryable, QueryOptions, QueryResult } from './Db.js';

/** Same number parsing as the pg adapter: int8 and numeric come back as JS numbers. */
const parsers = { 20: Number, 1700: Number };

/**
 * `withVector` loads pgvector (about 0.3 s of start-up): commands that never touch vectors,
 * sync among them, leave it out.
 */
export async function openPgliteDb(dir: string, withVector: boolean): Promise<Db> {
  const pg = await PGlite.create(dir, { extensions: withVector ? { vector } : {}, parsers, startParams });
  if (withVector) await pg.exec('create extension if not exists vector');
  return new PgliteDb(pg, dir, withVector);
}

/**
 * PGLite keeps Postgres's default 128 MB of shared buffers inside its wasm memory and touches
 * all of it at start: ~125 MB of resident memory for every command that opens the brain. One
 * process and one connection gain little from a cache that large (the OS caches the files
 * anyway); 16 MB leaves a first sync as fast and its peak RSS ~100 MB lower (bench/sync.mjs).
 */
const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${process.env.BRAINSYNC_PGLITE_SHARED_BUFFERS ?? '16MB'}`];

/**
 * Checkpoint on purpose after this much written parameter data. Left alone, a big import
 * grows PGLite's WAL past a gigabyte before Postgres's own checkpoint (the point where the
 * tool brainsync replaces hung for good); a CHECKPOINT here costs ~20 ms and keeps pg_wal
 * around 50 MB.
 */
const checkpointEveryBytes = 32 * 1024 * 1024;

class PgliteDb implements Db {
  readonly capabilities;
  private written = 0;
  constructor(
    private readonly pg: PGlite,
    readonly target: string,
    vector: boolean,
  ) {
    this.capabilities = { multiConnection: false, advisoryLocks: false, vector, vectorIndex: false, exclusive: true, autovacuum: false };
  }

  async query<T>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
    this.written += paramBytes(params);
    const res = await runQuery<T>(this.pg, sql, params, opts);
    await this.maybeCheckpoint();
    return res;
  }

  async exec(sql: string, opts?: QueryOptions): Promise<void> {
    opts?.signal?.throwIfAborted();
    await this.pg.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: QueryOptions): Promise<T> {
    opts?.signal?.throwIfAborted();
    const result = await this.pg.transaction((tx) => fn(wrapTx(tx, opts, (n) => (this.written += n))));
    await this.maybeCheckpoint();
    return result;
  }

  private async maybeCheckpoint(): Promise<void> {
    if (this.written < checkpointEveryBytes) return;
    this.written = 0;
    await this.pg.exec('checkpoint');
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
  const res = await pg.query<T>(sql, params, { serializers });
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

/** Statements inside the transaction stop with the transaction's signal unless given their own. */
function wrapTx(tx: Transaction, txOpts: QueryOptions | undefined, count: (bytes: number) => void): Queryable {
  return {
    query: (sql, params, opts) => {
      count(paramBytes(params));
      return runQuery(tx, sql, params, opts ?? txOpts);
    },
    exec: async (sql, opts) => {
      (opts ?? txOpts)?.signal?.throwIfAborted();
      await tx.exec(sql);
    },
  };
}

/**
 * `text[]` parameters (page bodies, chunk texts, paths) and `real[]` ones given as a
 * Float32Array (vectors) travel in Postgres's binary format, which PGLite passes through
 * untouched (see binaryTextArray, binaryFloat4Array); anything else falls back to its usual
 * array literal. PGLite picks the serializer by the parameter's type as Postgres infers
 * it, so this touches no parameter of another type.
 */
const serializers = {
  [textArrayOid]: (value: unknown) =>
    (binaryTextArray(value) ?? types.arraySerializer(value, types.serializers[types.TEXT], textArrayOid)) as unknown as string,
  [float4ArrayOid]: (value: unknown) =>
    (binaryFloat4Array(value) ?? types.arraySerializer(value, types.serializers[types.FLOAT4], float4ArrayOid)) as unknown as string,
};

/**
 * Roughly how much a statement writes: the length of its string parameters and the bytes of
 * its typed arrays (a batch of vectors), which drive the checkpoints above.
 */
export function paramBytes(params: unknown[] | undefined): number {
  let n = 0;
  for (const p of params ?? []) {
    if (typeof p === 'string') n += p.length;
    else if (ArrayBuffer.isView(p)) n += p.byteLength;
    else if (Array.isArray(p)) for (const v of p) if (typeof v === 'string') n += v.length;
  }
  return n;
}
