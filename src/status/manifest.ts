/**
 * The status manifest (DESIGN §6): one JSON file beside the brain, rewritten from the
 * database's own state after every run and every lock change, and read by `brainsync status`
 * without opening the database. Ages (`…AgeSeconds`) were measured by the database clock when
 * the file was written; a reader adds the time elapsed since `writtenAt` (the writer's clock,
 * which is the reader's: the file lives on the writer's host).
 *
 * Nothing here imports a database module: `status` reads manifests on a path that must not
 * load one.
 */

/** Bumped when a reader of the previous format would misread the file. */
export const manifestFormat = 1;

export interface ManifestRun {
  /** Null for a no-op answered from the manifest (see noopChecks.ts): it has no sync_runs row. */
  runId: string | null;
  /** synced, up_to_date, partial, failed (a `locked` outcome is not a run: nothing is recorded; a dry run is recorded but never shown as the last run). */
  status: string;
  reason: string | null;
  /** Why a failed run failed. */
  message: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number | null;
  counts: Record<string, number>;
  ageSeconds: number;
}

export interface ManifestLock {
  host: string;
  pid: number;
  runId: string;
  since: string;
  heartbeatAt: string;
  heartbeatAgeSeconds: number;
  /** Its TTL had passed when the manifest was written: the next run takes it over. */
  expired: boolean;
}

export interface ManifestSource {
  /** The source's row id: a source removed and added again under the same name gets a new one. */
  id: number;
  name: string;
  /** As shown to people: a password in a clone URL is `***`. */
  repo: string;
  repoKind: 'local' | 'remote';
  branch: string;
  /** The commit the brain holds for this source (null before the first complete sync). */
  bookmark: string | null;
  bookmarkAt: string | null;
  /** Targets of runs that started writing and did not reach their bookmark (an unfinished run). */
  pendingTargets: string[];
  /** The branch tip the newest run pinned. */
  tip: string | null;
  /** Commits in tip that the bookmark lacks; null when unknown (no repository at hand, or nothing pinned). */
  commitsBehind: number | null;
  lastRun: ManifestRun | null;
  /** The newest run that ended synced or up_to_date. */
  lastSuccessAt: string | null;
  lastSuccessAgeSeconds: number | null;
  /**
   * Since when runs could not pull the local branch, and why: `diverged` from its upstream, or
   * `local_changes` in the checkout that the pull would overwrite. Meanwhile the brain gets
   * none of the upstream's changes, however often it syncs. Null when nothing blocks the pull;
   * absent in files of older brainsyncs.
   */
  pullBlockedSince?: string | null;
  pullBlockedAgeSeconds?: number | null;
  pullBlockedBy?: 'diverged' | 'local_changes' | null;
  failedFiles: number;
  /** The first few failed paths, sorted; `failedFiles` is the full count. */
  failedPaths: string[];
  /** Chunks waiting for a vector, as counted when a run, `embed` or `sources set` last ended. */
  embedPending: number;
  /** When that count last changed. */
  embedPendingChangedAt: string | null;
  lock: ManifestLock | null;
}

export interface Manifest {
  format: number;
  /** The brainsync that wrote it. */
  version: string;
  writtenAt: string;
  writer: { host: string; pid: number };
  brain: {
    /** The brain as people see it: a PGLite directory, or a Postgres URL without its password. */
    target: string;
    kind: 'pglite' | 'postgres';
    /**
     * The database cluster's identifier (pg_control, fixed when the brain was created). For a
     * PGLite brain the same 8 bytes open its `global/pg_control`, so a reader can tell without
     * starting PGLite whether the file describes the brain that is there now.
     */
    systemIdentifier: string | null;
    /**
     * PGLite: the token the writer left in the brain directory when it wrote this file
     * (dataStamp.ts), so a reader can tell the directory has not been restored or copied from
     * another moment since. Null on Postgres; absent in files of older brainsyncs.
     */
    dataStamp?: string | null;
  };
  sources: ManifestSource[];
}

/** Thrown for a file that is not a manifest this version can read. */
export class ManifestUnreadable extends Error {}

/**
 * Checks the shape a reader relies on; anything else is unreadable (the caller falls back to
 * the database). Unknown fields are kept: a newer writer may add some.
 */
export function parseManifest(text: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ManifestUnreadable(`not JSON (${(err as Error).message})`);
  }
  const m = doc as Partial<Manifest>;
  if (typeof m !== 'object' || m === null) throw new ManifestUnreadable('not a JSON object');
  if (m.format !== manifestFormat) throw new ManifestUnreadable(`format ${String(m.format)}, this brainsync reads format ${manifestFormat}`);
  if (typeof m.writtenAt !== 'string' || Number.isNaN(Date.parse(m.writtenAt))) throw new ManifestUnreadable('no valid writtenAt');
  if (typeof m.brain !== 'object' || m.brain === null || typeof m.brain.target !== 'string') throw new ManifestUnreadable('no brain');
  if (!Array.isArray(m.sources)) throw new ManifestUnreadable('no sources list');
  for (const s of m.sources) {
    if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || typeof s.failedFiles !== 'number' || typeof s.embedPending !== 'number') {
      throw new ManifestUnreadable('a source entry lacks its name or counts');
    }
  }
  return m as Manifest;
}
