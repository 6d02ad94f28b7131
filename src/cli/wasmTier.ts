import { setFlagsFromString } from 'node:v8';
import type { DbTarget } from '../db/target.js';
import { manifestPath } from '../status/manifestPath.js';
import type { Manifest } from '../status/manifest.js';
import { readManifest } from '../status/readManifest.js';
import { homeFromEnv } from './config.js';

/**
 * PGLite is Postgres compiled to WebAssembly. V8 first runs wasm from its baseline compiler
 * (Liftoff) and recompiles the hot functions with its optimising compiler on background
 * threads. A long import gains from that; a short command only pays for it: the recompiles
 * compete with the main thread for the cores and hold memory. Measured on 2 cores (load ~1):
 * a 115-file change 3.6–4.5 s → 2.5–3.0 s wall, opening a brain 0.56–0.60 → 0.37–0.50 s,
 * 50–80 MB less resident memory; a 10K first sync ~20% slower (35 → 42 s), so long work keeps
 * the optimising tier. The flag is process-wide and must be set before PGLite compiles its
 * module, which is why the CLI (never the library) decides, once, before opening the brain.
 */
export function chooseWasmTier(target: DbTarget, longWork: boolean): 'baseline' | 'optimising' | null {
  if (target.kind !== 'pglite') return null;
  if (longWork || chosen) return chosen ? 'baseline' : 'optimising';
  chosen = true;
  setFlagsFromString('--liftoff-only');
  return 'baseline';
}

let chosen = false;

/** Chunks waiting for a vector above which a sync's embed phase counts as long work. */
const longBacklog = 20_000;

/**
 * Seconds of budget, for all the selected sources together, within which a sync is short
 * whatever it finds. Measured on 2 cores: a 10-file incremental sync took 2.7 s wall on the
 * optimising tier and 1.4 s on the baseline tier (recompiles competing for the cores, and
 * ~0.3 s at exit waiting for them), while the baseline tier costs ~20% more of the work: it
 * wins below ~7 s of work. A cron wave under a tight `--timeout` is bounded by it, however
 * much it left unfinished.
 */
const shortBudgetSeconds = 10;

/**
 * Whether a PGLite sync may write for long: anything the status manifest cannot vouch for is,
 * unless its budget bounds it. Short means a budget (`--timeout` × the selected sources, run
 * one after another on PGLite) of at most 10 s, or every selected source has completed a sync
 * before, has no unfinished run and a small embed backlog, and no `--full`: its work is the
 * change since its bookmark.
 */
export async function syncMayBeLong(
  target: DbTarget,
  flags: { full: boolean; all: boolean; sources: string[]; embed: boolean; timeoutSeconds?: number },
): Promise<boolean> {
  if (target.kind !== 'pglite') return true;
  // Only a hint: a manifest this code cannot read (another version's, damaged) means long.
  let manifest: Manifest | null = null;
  try {
    const read = await readManifest(target, manifestPath(target, homeFromEnv()));
    if (read.ok && Array.isArray(read.manifest.sources)) manifest = read.manifest;
  } catch {
    manifest = null;
  }
  const selected = flags.all ? manifest?.sources.length : flags.sources.length;
  if (flags.timeoutSeconds !== undefined && selected !== undefined && selected > 0 && flags.timeoutSeconds * selected <= shortBudgetSeconds) {
    return false;
  }
  if (flags.full || !manifest) return true;
  const byName = new Map(manifest.sources.map((s) => [s.name, s]));
  const chosenSources = flags.all ? manifest.sources : flags.sources.map((n) => byName.get(n));
  if (chosenSources.length === 0) return true;
  return chosenSources.some(
    (s) =>
      !s || typeof s.bookmark !== 'string' || !Array.isArray(s.pendingTargets) || s.pendingTargets.length > 0 ||
      (flags.embed && !(typeof s.embedPending === 'number' && s.embedPending <= longBacklog)),
  );
}
