import {
  ProviderPool, lockSettingsForTtl, manifestPath, printableResult, runPostRunHook, runWave, worstExitCode,
  type BreakVerdict, type EarlierPull, type SourceResult,
} from '../../index.js';
import { homeFromEnv, keyEnvironment } from '../config.js';
import { mirrorsDir, modelsDir, type CliContext } from '../context.js';
import { printJson, waveStamp } from '../output.js';
import { signalExitCode, type ProcessStop } from '../signals.js';
import { createSyncReporter } from '../syncReport.js';
import { version } from '../version.js';
import { syncMayBeLong } from '../wasmTier.js';
import type { SyncFlags } from './syncRun.js';

/**
 * The normal path of `sync`: opens the brain and runs the wave (runWave). `stop` is the
 * command's signal watcher (runSync); it is disposed by the caller. `pulled`: the sources the
 * no-op check pulled just before (runSync), which are not pulled twice; `spentMs`: the time
 * that check spent on each source, which its run's budget has already used.
 */
export async function syncWave(
  ctx: CliContext, flags: SyncFlags, stop: ProcessStop, pulled: EarlierPull[] = [], spentMs: ReadonlyMap<string, number> = new Map(),
): Promise<number> {
  let results: SourceResult[] = [];
  let verdicts: BreakVerdict[] = [];
  const opening = performance.now();
  const db = await ctx.openBrain({
    maxConnections: flags.maxSources * (flags.workers + 1) + 2,
    vector: false,
    forceDirLock: flags.breakLock === 'force',
    longWork: await syncMayBeLong(ctx.target, flags),
  });
  ctx.log.debug(`opened ${ctx.target.display} in ${Math.round(performance.now() - opening)} ms (${Math.round(performance.now())} ms since start)`);
  // Created now, loaded only if a source has chunks waiting for a vector.
  const models = new ProviderPool(modelsDir(), {
    env: keyEnvironment(), batchTokens: flags.embedBatchTokens, onNotice: (l) => ctx.log.warn(l), onDebug: (l) => ctx.log.debug(l),
  });
  try {
    const reporter = createSyncReporter(ctx.log);
    const reposDir = mirrorsDir(ctx);
    ({ results, verdicts } = await runWave(
      {
        db, signal: stop.signal, models,
        onEvent: reporter.onEvent,
        onLockVerdict: (v) => {
          if (v.verdict !== 'no_lock') ctx.log.info(`${v.source}: lock ${v.detail}`);
        },
        onResult: flags.onResult ? hookRunner(ctx, flags.onResult, stop.signal) : undefined,
      },
      {
        ...flags,
        timeoutMs: flags.timeoutSeconds !== undefined ? flags.timeoutSeconds * 1000 : undefined,
        lock: lockSettingsForTtl(flags.lockTtlSeconds),
        reposDir,
        pulled: new Map(pulled.map((p) => [p.name, p])),
        spentMs,
        command: ctx.commandLine,
        manifest: { path: manifestPath(ctx.target, homeFromEnv()), version, target: { kind: ctx.target.kind, display: ctx.target.display }, reposDir },
      },
    ));
    reporter.summary(results);
  } finally {
    await models.close();
    const closing = performance.now();
    await db.close();
    ctx.log.debug(`closed the brain in ${Math.round(performance.now() - closing)} ms`);
  }
  const code = results.length === 0 && stop.received() ? signalExitCode(stop.received()!) : worstExitCode(results);
  // Printed while our signal handlers are still installed: a SIGTERM from cron's timeout
  // arriving now must not kill the process between its results and their printing.
  if (ctx.json) printJson({ exitCode: code, ...waveStamp(), ...(flags.breakLock ? { locks: verdicts } : {}), sources: results.map(printableResult) });
  return code;
}

/**
 * Runs the post-run hook after each run that changed pages, outside the run's lock; a hook
 * that fails or hangs is a warning and never changes the run's result or the exit code.
 */
function hookRunner(ctx: CliContext, hook: { command: string; timeoutMs: number }, signal: AbortSignal) {
  return async (result: SourceResult): Promise<void> => {
    const o = await runPostRunHook({ ...hook, signal }, result, version);
    if (!o.ran) return ctx.log.debug(`${result.source}: --on-result not run: ${o.why}`);
    if (o.ok) return ctx.log.debug(`${result.source}: --on-result finished in ${o.ms} ms`);
    ctx.log.warn(`${result.source}: the --on-result command ${o.problem}; the sync itself is not affected.`);
  };
}
