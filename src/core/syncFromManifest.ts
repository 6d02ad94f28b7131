import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbTarget } from '../db/target.js';
import { errorMessage } from '../errors.js';
import { originUrl } from '../git/repoInfo.js';
import { BrainBusyError, acquireDirLock, type DirLock } from '../locks/dirLock.js';
import { redactCredentials } from '../redact.js';
import type { Manifest, ManifestSource } from '../status/manifest.js';
import { changeMarkerPath, noopChecksPath } from '../status/manifestPath.js';
import type { NoopCheck } from '../status/noopChecks.js';
import { publishNoopChecks } from '../status/publishNoopChecks.js';
import { readManifest } from '../status/readManifest.js';
import { collect, pullBlockedAfter, pullRefusedMessage, type CollectSource, type EarlierPull } from './collect.js';
import { zeroCounts, zeroTimings, type SourceResult } from './result.js';
import type { SyncEvent } from './syncSource.js';

export interface ManifestSyncOptions {
  target: Extract<DbTarget, { kind: 'pglite' }>;
  manifestPath: string;
  /** This brainsync: a manifest written by another version takes the normal path. */
  version: string;
  sources: string[];
  all: boolean;
  /** Any of these asks for more than a no-op, and takes the normal path. */
  full: boolean;
  retryFailed: boolean;
  dryRun: boolean;
  breakLock: 'provably_gone' | 'force' | null;
  pull: boolean;
  /** Off (`--no-embed`): a recorded backlog does not need the database. */
  embed: boolean;
  /** Per source, for its pull. */
  timeoutMs?: number;
  reposDir: string;
  /** Shown to another process that finds the brain's directory lock taken. */
  command: string;
}

export interface ManifestSyncDeps {
  signal: AbortSignal;
  onEvent?: (e: SyncEvent) => void;
  /** Told when the directory lock of a dead process was taken over (the normal path then runs). */
  onDirLockTakeOver?: (message: string) => void;
}

/**
 * Not answered: why, and the sources pulled before the check gave up (under the directory
 * lock, moments ago), which the normal path need not pull again (SyncOptions.pulled).
 */
export type ManifestSyncOutcome =
  | { answered: true; results: SourceResult[] }
  | { answered: false; why: string; pulled: EarlierPull[]; spentMs: Map<string, number> };

const notAnswered = (why: string, pulled: EarlierPull[] = [], spentMs = new Map<string, number>()): ManifestSyncOutcome => (
  { answered: false, why, pulled, spentMs }
);

/**
 * The no-op fast path of a PGLite sync: answers `up_to_date` for every selected source
 * without starting PGLite, or says why it cannot (the caller then runs the normal path,
 * which pulls again). It holds the brain's directory lock throughout, so no other brainsync
 * changes the brain, writes its manifest or pulls its sources meanwhile; under it, a manifest
 * of this brain and version with no change marker shows every source's bookmark, unfinished
 * targets, backlog and locks as the database has them (see changeMarker.ts and the write
 * protocol in ManifestWriter.ts). Each source is pulled exactly as a run pulls it (collect);
 * only when every tip equals its bookmark is the wave answered, and recorded
 * (publishNoopChecks) so that status and --max-staleness see it.
 */
export async function syncFromManifest(deps: ManifestSyncDeps, opts: ManifestSyncOptions): Promise<ManifestSyncOutcome> {
  const flag = opts.full ? '--full' : opts.retryFailed ? '--retry-failed' : opts.dryRun ? '--dry-run' : opts.breakLock ? 'breaking locks' : null;
  if (flag) return notAnswered(`${flag} needs the database`);
  let takenOver: string | null = null;
  let lock: DirLock;
  try {
    lock = await acquireDirLock(opts.target.dir, opts.command, { onTakeOver: (m) => (takenOver = m) });
  } catch (err) {
    return notAnswered(err instanceof BrainBusyError ? 'another process holds the brain' : `could not lock the brain (${errorMessage(err)})`);
  }
  try {
    if (takenOver) {
      deps.onDirLockTakeOver?.(takenOver);
      return notAnswered('a brainsync died holding the brain');
    }
    return await answerUnderLock(deps, opts);
  } finally {
    await lock.release();
  }
}

async function answerUnderLock(deps: ManifestSyncDeps, opts: ManifestSyncOptions): Promise<ManifestSyncOutcome> {
  const dir = opts.target.dir;
  if (await exists(changeMarkerPath(dir))) return notAnswered('a command changed the brain after its status manifest was written');
  const read = await readManifest(opts.target, opts.manifestPath);
  if (!read.ok) return notAnswered(read.why);
  const m = read.manifest;
  const selected = selectSources(m, opts);
  if (typeof selected === 'string') return notAnswered(selected);
  const warnings: SyncEvent[] = [];
  const pulled: EarlierPull[] = [];
  const spentMs = new Map<string, number>();
  const checked = await checkAll(selected, (s) => checkSource(deps, s, opts, warnings, pulled, spentMs), opts.reposDir);
  if (typeof checked === 'string') return notAnswered(checked, pulled, spentMs);
  const results = checked.map((c) => c.result);
  const checks = checked.map((c) => c.check);
  for (const w of warnings) deps.onEvent?.(w);
  try {
    await publishNoopChecks({ manifest: opts.manifestPath, checks: noopChecksPath(dir) }, m, checks, new Date());
  } catch (err) {
    deps.onEvent?.({
      type: 'warning', source: 'status',
      message: `could not record the no-op run in ${opts.manifestPath} (${errorMessage(err)}); the result stands, and \`brainsync status\` shows the previous run until a later write succeeds`,
    });
  }
  return { answered: true, results };
}

/** The sources the wave names (all: never-run and longest-unsynced first), each one the manifest can answer for; or why not. */
function selectSources(m: Manifest, opts: ManifestSyncOptions): ManifestSource[] | string {
  if (m.version !== opts.version) return `the status manifest was written by brainsync ${m.version}`;
  if (m.brain.kind !== 'pglite' || !m.brain.systemIdentifier) return 'the status manifest does not identify the brain';
  if (m.sources.some((s) => typeof s.id !== 'number' || !Array.isArray(s.pendingTargets) || (s.repoKind !== 'local' && s.repoKind !== 'remote'))) {
    return 'the status manifest predates the fields the no-op check needs';
  }
  let selected: ManifestSource[];
  if (opts.all) {
    const last = (s: ManifestSource) => (s.lastRun ? Date.parse(s.lastRun.finishedAt) : -Infinity);
    selected = [...m.sources].sort((a, b) => last(a) - last(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } else {
    selected = [];
    for (const name of new Set(opts.sources)) {
      const s = m.sources.find((x) => x.name === name);
      if (!s) return `the status manifest has no source named "${name}"`;
      selected.push(s);
    }
  }
  for (const s of selected) {
    if (s.lock) return `the status manifest shows ${s.name} locked by pid ${s.lock.pid} on ${s.lock.host}`;
    if (s.pendingTargets.length > 0) return `${s.name} has an unfinished run`;
    if (s.bookmark === null) return `${s.name} has no bookmark yet`;
    if (opts.embed && s.embedPending > 0) return `${s.name} has ${s.embedPending} chunks waiting for a vector`;
  }
  return selected;
}

/** Repositories pulled at once: a pull is mostly waiting on git and the disk. */
const pullConcurrency = 4;

type Checked = { result: SourceResult; check: NoopCheck };

/**
 * Checks every source, in the order given, several repositories at a time; sources that share
 * a repository (a checkout, or a mirror) are pulled one after another, as two pulls into one
 * repository would collide. Stops starting new checks at the first source that is not up to date.
 */
async function checkAll(
  selected: ManifestSource[], check: (s: ManifestSource) => Promise<Checked | string>, reposDir: string,
): Promise<Checked[] | string> {
  const groups = new Map<string, number[]>();
  selected.forEach((s, i) => {
    const key = s.repoKind === 'remote' ? join(reposDir, s.name) : s.repo;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const queue = [...groups.values()];
  const out: Checked[] = new Array(selected.length);
  let refused: string | null = null;
  const worker = async () => {
    for (let group = queue.shift(); group && refused === null; group = queue.shift()) {
      for (const i of group) {
        if (refused !== null) return;
        const c = await check(selected[i]);
        if (typeof c === 'string') refused = c;
        else out[i] = c;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(pullConcurrency, queue.length) }, worker));
  return refused ?? out;
}

/** Pulls one source as a run does and compares its tip with the bookmark: a result and its record, or why not. */
async function checkSource(
  deps: ManifestSyncDeps, s: ManifestSource, opts: ManifestSyncOptions, warnings: SyncEvent[], pulled: EarlierPull[],
  spentMs: Map<string, number>,
): Promise<{ result: SourceResult; check: NoopCheck } | string> {
  const started = new Date();
  const t0 = performance.now();
  try {
    return await checkPulled(deps, s, opts, warnings, pulled, started, t0);
  } finally {
    spentMs.set(s.name, Math.round(performance.now() - t0));
  }
}

async function checkPulled(
  deps: ManifestSyncDeps, s: ManifestSource, opts: ManifestSyncOptions, warnings: SyncEvent[], pulled: EarlierPull[],
  started: Date, t0: number,
): Promise<{ result: SourceResult; check: NoopCheck } | string> {
  deps.onEvent?.({ type: 'phase', source: s.name, phase: 'pull' });
  const signal = opts.timeoutMs !== undefined ? AbortSignal.any([deps.signal, AbortSignal.timeout(opts.timeoutMs)]) : deps.signal;
  let collected;
  try {
    const source = await collectSource(s, opts.reposDir, signal);
    if (typeof source === 'string') return source;
    collected = await collect(source, { fetch: opts.pull, pull: opts.pull, reposDir: opts.reposDir, signal });
    pulled.push({ ...source, collected });
  } catch (err) {
    return `pulling ${s.name} failed (${errorMessage(err)})`;
  }
  if (collected.target !== s.bookmark) return `${s.name} has commits the brain does not hold yet`;
  // Whether (and why) the branch cannot be pulled is the brain's to record (status counts
  // staleness from it): a change takes the normal path, which writes it.
  const before = s.pullBlockedBy ?? null;
  const after = pullBlockedAfter(collected.pull, before);
  if (after !== before) return `${s.name} ${after ? `cannot be pulled now (${after.replace('_', ' ')})` : 'can be pulled again'}`;
  const refused = pullRefusedMessage(s.branch, collected);
  if (refused) warnings.push({ type: 'warning', source: s.name, message: refused });
  const ms = Math.round(performance.now() - t0);
  deps.onEvent?.({ type: 'phase', source: s.name, phase: 'done' });
  return {
    result: {
      source: s.name, status: 'up_to_date', bookmarkFrom: s.bookmark, target: collected.target,
      counts: { ...zeroCounts(), pending: s.embedPending },
      timings: { ...zeroTimings(), pullMs: ms, totalMs: ms },
      failures: [], pull: collected.pull,
    },
    check: { id: s.id, name: s.name, commit: collected.target, startedAt: started.toISOString(), finishedAt: new Date().toISOString(), durationMs: ms },
  };
}

/**
 * What collect needs. The manifest shows a clone URL with its password hidden; the real URL
 * is the one brainsync's mirror fetches from, set by the last run from the database. It must
 * read the same as the manifest's, or the normal path decides.
 */
async function collectSource(s: ManifestSource, reposDir: string, signal: AbortSignal): Promise<CollectSource | string> {
  if (s.repoKind === 'local') return { name: s.name, repo: s.repo, repoKind: 'local', branch: s.branch };
  const url = await originUrl(join(reposDir, s.name), { signal }).catch(() => null);
  if (url === null || redactCredentials(url) !== s.repo) return `brainsync's mirror of ${s.name} does not fetch from the source's URL`;
  return { name: s.name, repo: url, repoKind: 'remote', branch: s.branch };
}

/** False only when the file is provably absent: a marker that cannot be checked counts as there. */
async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
