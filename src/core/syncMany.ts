import pLimit from 'p-limit';
import { ConnectionLostError, isConnectionError } from '../db/connectionErrors.js';
import { errorMessage } from '../errors.js';
import { zeroCounts, zeroTimings, type SourceResult } from './result.js';
import { syncSource, type SyncDeps, type SyncOptions } from './syncSource.js';

export interface SyncManyOptions extends SyncOptions {
  /** Sources run at once when the brain allows several connections (1 on PGLite). */
  maxSources: number;
}

/**
 * Runs each source in its own run with its own budget. A source that fails for any reason
 * becomes a `failed` result and never stops the others. `onResult` hears each result as its
 * run ends (it must not throw).
 */
export async function syncMany(
  deps: SyncDeps, names: string[], opts: SyncManyOptions, onResult?: (result: SourceResult) => void,
): Promise<SourceResult[]> {
  const limit = pLimit(deps.db.capabilities.multiConnection ? Math.max(1, opts.maxSources) : 1);
  return Promise.all(
    names.map((name) =>
      limit(async () => {
        const result = await isolated(deps, name, opts);
        onResult?.(result);
        return result;
      }),
    ),
  );
}

async function isolated(deps: SyncDeps, name: string, opts: SyncOptions): Promise<SourceResult> {
  try {
    return await syncSource(deps, name, opts);
  } catch (err) {
    return {
      source: name,
      status: 'failed',
      // Thrown before the run held its lock (reading the source, claiming the lock).
      message: isConnectionError(err) ? new ConnectionLostError('the start of the run', err).message : errorMessage(err),
      bookmarkFrom: null,
      target: null,
      counts: zeroCounts(),
      timings: zeroTimings(),
      failures: [],
    };
  }
}
