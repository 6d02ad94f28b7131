import { printableResult, worstExitCode } from '../../core/result.js';
import type { EarlierPull, WaveOptions } from '../../index.js';
import { manifestPath } from '../../status/manifestPath.js';
import { homeFromEnv } from '../config.js';
import { mirrorsDir, type CliContext } from '../context.js';
import { printJson, waveStamp } from '../output.js';
import { watchProcessSignals, type ProcessStop } from '../signals.js';
import { createSyncReporter } from '../syncReport.js';
import { version } from '../version.js';

/** The validated command line: the run options it shares with the library, plus the CLI's own. */
export interface SyncFlags
  extends Pick<WaveOptions, 'dryRun' | 'full' | 'pull' | 'retryFailed' | 'allowMassDelete' | 'workers' | 'maxSources' | 'maxFileBytes' | 'embed' | 'sources' | 'all' | 'breakLock' | 'maxAgeSeconds'> {
  timeoutSeconds?: number;
  lockTtlSeconds: number;
  embedBatchTokens?: number;
  /** The post-run hook, if one is configured. */
  onResult?: { command: string; timeoutMs: number };
}

/**
 * `brainsync sync`. On a PGLite brain a wave with nothing to do is answered from the status
 * manifest after the pulls, without starting PGLite (syncFromManifest); anything else, or
 * anything unclear, runs the normal path (syncWave), which is loaded only then.
 */
export async function runSync(ctx: CliContext, flags: SyncFlags): Promise<number> {
  const stop = watchProcessSignals(async () => {
    ctx.log.error('second signal: releasing locks and exiting now');
    // Source locks exist only once the normal path has loaded the library.
    const { releaseHeldLocks } = await import('../../index.js');
    await releaseHeldLocks();
  });
  try {
    const answered = await fromManifest(ctx, flags, stop);
    if ('code' in answered) return answered.code;
    const { syncWave } = await import('./syncWave.js');
    return await syncWave(ctx, flags, stop, answered.pulled, answered.spentMs);
  } finally {
    stop.dispose();
  }
}

/**
 * The exit code of a wave answered from the manifest; or, when the normal path must run, the
 * sources the check pulled on the way (the normal path does not pull them again) and the time
 * it spent on each (taken from that source's --timeout).
 */
async function fromManifest(
  ctx: CliContext, flags: SyncFlags, stop: ProcessStop,
): Promise<{ code: number } | { pulled: EarlierPull[]; spentMs: Map<string, number> }> {
  if (ctx.target.kind !== 'pglite') return { pulled: [], spentMs: new Map() };
  const { syncFromManifest } = await import('../../core/syncFromManifest.js');
  const reporter = createSyncReporter(ctx.log);
  const outcome = await syncFromManifest(
    { signal: stop.signal, onEvent: reporter.onEvent, onDirLockTakeOver: (m) => ctx.log.warn(m) },
    {
      ...flags,
      target: ctx.target,
      manifestPath: manifestPath(ctx.target, homeFromEnv()),
      version,
      timeoutMs: flags.timeoutSeconds !== undefined ? flags.timeoutSeconds * 1000 : undefined,
      reposDir: mirrorsDir(ctx),
      command: ctx.commandLine,
    },
  );
  if (!outcome.answered) {
    ctx.log.debug(`not answered from the status manifest: ${outcome.why}`);
    return { pulled: outcome.pulled, spentMs: outcome.spentMs };
  }
  ctx.log.debug(`answered from the status manifest without opening the brain (${Math.round(performance.now())} ms since start)`);
  reporter.summary(outcome.results);
  const code = worstExitCode(outcome.results);
  if (ctx.json) printJson({ exitCode: code, ...waveStamp(), sources: outcome.results.map(printableResult) });
  return { code };
}
