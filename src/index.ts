/**
 * brainsync's library: what the CLI is built on, and what another program may call. The CLI
 * imports the library through this file only (commands that must not load the sync graph,
 * such as `status` reading its manifest and `sync` answering a no-op from it, import those
 * modules directly).
 *
 * Heavy parts stay lazy behind these exports: database drivers load in openDb, the plan and
 * apply modules in a run that has work, embedding runtimes in the embed phase.
 */
export { runWave, type WaveDeps, type WaveOptions, type WaveResult } from './core/runWave.js';
export { syncMany, type SyncManyOptions } from './core/syncMany.js';
export { syncSource, type SyncDeps, type SyncEvent, type SyncOptions } from './core/syncSource.js';
export { syncFromManifest, type ManifestSyncDeps, type ManifestSyncOptions, type ManifestSyncOutcome } from './core/syncFromManifest.js';
export type { EarlierPull } from './core/collect.js';
export {
  exitCodeOf, printableResult, worstExitCode, zeroCounts, zeroTimings,
  type Changes, type Counts, type FileFailureReport, type SourceResult, type SyncStatus, type Timings,
} from './core/result.js';
export { changedSomething, hookDocument, runPostRunHook, type HookDocument, type HookOutcome, type PostRunHook } from './core/postRunHook.js';
export { embedMany, type EmbedManyInput, type EmbedSourceResult } from './core/embedMany.js';
export { addSource, type AddSourceInput } from './core/addSource.js';
export { removeSource, type RemoveSourceResult } from './core/removeSource.js';
export { setSourceEmbed } from './core/setSourceEmbed.js';
export { openBrain } from './db/openBrain.js';
export type { OpenDbOptions } from './db/openDb.js';
export type { Db, DbCapabilities, Queryable, QueryOptions, QueryResult } from './db/Db.js';
export { brainsyncHome, resolveDbTarget, type DbTarget } from './db/target.js';
export { listSources, type SourceRow } from './db/sourcesQueries.js';
export { ProviderPool } from './embed/ProviderPool.js';
export { breakLock, type BreakVerdict } from './locks/breakLock.js';
export { defaultLockTtlSeconds, lockSettingsForTtl, releaseHeldLocks, type LockSettings } from './locks/sourceLock.js';
export { ManifestWriter, type ManifestWriterOptions } from './status/ManifestWriter.js';
export { manifestPath } from './status/manifestPath.js';
export { parseManifest, type Manifest, type ManifestLock, type ManifestRun, type ManifestSource } from './status/manifest.js';
export * from './errors.js';
