import type { Db } from '../db/Db.js';
import { namesByLastRun } from '../db/runsQueries.js';
import { listSources } from '../db/sourcesQueries.js';
import { errorMessage, NotFoundError } from '../errors.js';
import { breakLock, type BreakVerdict } from '../locks/breakLock.js';
import { ManifestWriter, type ManifestWriterOptions } from '../status/ManifestWriter.js';
import type { SourceResult } from './result.js';
import { syncMany, type SyncManyOptions } from './syncMany.js';
import type { SyncDeps } from './syncSource.js';

export interface WaveOptions extends SyncManyOptions {
  /** Sources named by the caller (checked against the brain); ignored with `all`. */
  sources: string[];
  /** Every source, never-run and longest-unsynced first (a wave cut short resumes where it stopped). */
  all: boolean;
  /** Break locks first: only those whose holder is provably gone, or all of them ('force'). */
  breakLock: 'provably_gone' | 'force' | null;
  /** With 'provably_gone': the heartbeat age after which a holder counts as gone. */
  maxAgeSeconds: number;
  /** Rewrite the status manifest after every lock change and every finished run; omitted: none. */
  manifest?: Omit<ManifestWriterOptions, 'onWarning'>;
}

export interface WaveDeps extends SyncDeps {
  onLockVerdict?: (verdict: BreakVerdict) => void;
  /**
   * Once per finished source run, as it finishes, outside its lock and after the manifest
   * rewrite was asked for. The next source does not wait for it; the wave does, before it
   * returns. A throw or rejection becomes a warning event, never a failed run.
   */
  onResult?: (result: SourceResult) => void | Promise<void>;
}

export interface WaveResult {
  /** One per source, in the order the sources were resolved. */
  results: SourceResult[];
  /** Lock-breaking verdicts (empty without breakLock). */
  verdicts: BreakVerdict[];
}

/**
 * One wave: resolve the names (`all`: by last run), break locks if asked, run every source in
 * its own run (syncMany), and keep the status manifest current. Throws only for what stops
 * the whole wave before any run (an unknown source name); each source's own failure is its
 * result.
 */
export async function runWave(deps: WaveDeps, opts: WaveOptions): Promise<WaveResult> {
  const warn = (source: string, message: string) => deps.onEvent?.({ type: 'warning', source, message });
  const manifest = opts.manifest
    ? new ManifestWriter(deps.db, { ...opts.manifest, onWarning: (m) => warn('status', m) })
    : null;
  const pending: Promise<void>[] = [];
  try {
    const names = await resolveNames(deps.db, opts);
    const verdicts = opts.breakLock ? await breakLocks(deps, names, opts, manifest) : [];
    const results = await syncMany(
      {
        ...deps,
        // Awaited: the manifest shows the lock before the run writes. The rewrite after the run
        // covers its release (the run is recorded just after it).
        onLockChange: async (source, change) => {
          if (change === 'acquired') await manifest?.write();
          await deps.onLockChange?.(source, change);
        },
      },
      names,
      opts,
      (result) => {
        manifest?.request();
        if (deps.onResult) pending.push(callOnResult(deps.onResult, result, warn));
      },
    );
    await Promise.all(pending);
    // Opening a PGLite brain marked its manifest out of date (changeMarker.ts): a wave with no
    // source to run rewrites it all the same, or every later no-op would take the normal path.
    // (A wave refused before any run, for an unknown name, leaves it: the next run rewrites it.)
    if (manifest && !manifest.requested) manifest.request();
    return { results, verdicts };
  } finally {
    await manifest?.flush();
  }
}

async function callOnResult(
  onResult: NonNullable<WaveDeps['onResult']>, result: SourceResult, warn: (source: string, message: string) => void,
): Promise<void> {
  try {
    await onResult(result);
  } catch (err) {
    warn(result.source, `after the run: ${errorMessage(err)}`);
  }
}

async function resolveNames(db: Db, opts: WaveOptions): Promise<string[]> {
  if (opts.all) return namesByLastRun(db);
  const known = (await listSources(db)).map((s) => s.name);
  const missing = opts.sources.filter((n) => !known.includes(n));
  if (missing.length > 0) {
    throw new NotFoundError(
      `no source named ${missing.map((n) => `"${n}"`).join(', ')} in this brain. \`brainsync sources list\` shows the sources it has.`,
    );
  }
  return [...new Set(opts.sources)];
}

async function breakLocks(deps: WaveDeps, names: string[], opts: WaveOptions, manifest: ManifestWriter | null): Promise<BreakVerdict[]> {
  const out: BreakVerdict[] = [];
  for (const name of names) {
    const v = await breakLock(deps.db, name, { maxAgeSeconds: opts.maxAgeSeconds, force: opts.breakLock === 'force' });
    out.push(v);
    if (v.verdict === 'broken') manifest?.request();
    deps.onLockVerdict?.(v);
  }
  return out;
}
