import type { SourceResult } from '../../core/result.js';
import { printableResult, worstExitCode } from '../../core/result.js';
import { syncMany, type SyncManyOptions } from '../../core/syncMany.js';
import type { Db } from '../../db/Db.js';
import { namesByLastRun } from '../../db/runsQueries.js';
import { listSources } from '../../db/sourcesQueries.js';
import { NotFoundError } from '../../errors.js';
import { breakLock, type BreakVerdict } from '../../locks/breakLock.js';
import { lockSettingsForTtl, releaseHeldLocks } from '../../locks/sourceLock.js';
import { ProviderPool } from '../../embed/ProviderPool.js';
import { keyEnvironment } from '../config.js';
import { mirrorsDir, modelsDir, type CliContext } from '../context.js';
import { printJson, waveStamp } from '../output.js';
import { signalExitCode, watchProcessSignals } from '../signals.js';
import { createSyncReporter } from '../syncReport.js';

/** The validated command line: the run options it shares with the library, plus the CLI's own. */
export interface SyncFlags
  extends Pick<SyncManyOptions, 'dryRun' | 'full' | 'pull' | 'retryFailed' | 'allowMassDelete' | 'workers' | 'maxSources' | 'maxFileBytes' | 'embed'> {
  sources: string[];
  all: boolean;
  timeoutSeconds?: number;
  lockTtlSeconds: number;
  breakLock: 'provably_gone' | 'force' | null;
  maxAgeSeconds: number;
  embedBatchTokens?: number;
}

export async function runSync(ctx: CliContext, flags: SyncFlags): Promise<number> {
  const stop = watchProcessSignals(async () => {
    ctx.log.error('second signal: releasing locks and exiting now');
    await releaseHeldLocks();
  });
  let results: SourceResult[] = [];
  let verdicts: BreakVerdict[] = [];
  try {
    const opening = performance.now();
    const db = await ctx.openBrain({
      maxConnections: flags.maxSources * (flags.workers + 1) + 2,
      vector: false,
      forceDirLock: flags.breakLock === 'force',
    });
    ctx.log.debug(`opened ${ctx.target.display} in ${Math.round(performance.now() - opening)} ms (${Math.round(performance.now())} ms since start)`);
    // Created now, loaded only if a source has chunks waiting for a vector.
    const models = new ProviderPool(modelsDir(), {
      env: keyEnvironment(), batchTokens: flags.embedBatchTokens, onNotice: (l) => ctx.log.warn(l), onDebug: (l) => ctx.log.debug(l),
    });
    try {
      const names = await resolveNames(db, flags);
      if (flags.breakLock) verdicts = await breakLocks(ctx, db, names, flags);
      const reporter = createSyncReporter(ctx.log, names.length);
      results = await syncMany({ db, signal: stop.signal, onEvent: reporter.onEvent, models }, names, {
        ...flags,
        timeoutMs: flags.timeoutSeconds !== undefined ? flags.timeoutSeconds * 1000 : undefined,
        lock: lockSettingsForTtl(flags.lockTtlSeconds),
        reposDir: mirrorsDir(ctx),
        command: ctx.commandLine,
      });
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
  } finally {
    stop.dispose();
  }
}

async function resolveNames(db: Db, flags: SyncFlags): Promise<string[]> {
  if (flags.all) return namesByLastRun(db);
  const known = (await listSources(db)).map((s) => s.name);
  const missing = flags.sources.filter((n) => !known.includes(n));
  if (missing.length > 0) {
    throw new NotFoundError(
      `no source named ${missing.map((n) => `"${n}"`).join(', ')} in this brain. \`brainsync sources list\` shows the sources it has.`,
    );
  }
  return [...new Set(flags.sources)];
}

async function breakLocks(ctx: CliContext, db: Db, names: string[], flags: SyncFlags): Promise<BreakVerdict[]> {
  const out: BreakVerdict[] = [];
  for (const name of names) {
    const v = await breakLock(db, name, { maxAgeSeconds: flags.maxAgeSeconds, force: flags.breakLock === 'force' });
    out.push(v);
    if (v.verdict !== 'no_lock') ctx.log.info(`${name}: lock ${v.detail}`);
  }
  return out;
}
