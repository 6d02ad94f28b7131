import { embedMany, type EmbedSourceResult } from '../../core/embedMany.js';
import { listSources } from '../../db/sourcesQueries.js';
import { ProviderPool } from '../../embed/ProviderPool.js';
import { keyEnvironment } from '../config.js';
import { ExitCode } from '../../errors.js';
import { modelsDir, refreshManifest, type CliContext } from '../context.js';
import type { Logger } from '../output.js';
import { printJson, waveStamp } from '../output.js';
import { printable } from '../printable.js';
import { watchProcessSignals } from '../signals.js';
import type { EmbedFlags } from './embed.js';

export async function runEmbed(ctx: CliContext, flags: EmbedFlags): Promise<number> {
  const stop = watchProcessSignals(async () => {});
  try {
    const db = await ctx.openBrain({ vector: false, longWork: true });
    const models = new ProviderPool(modelsDir(), {
      env: keyEnvironment(), batchTokens: flags.embedBatchTokens, onNotice: (l) => ctx.log.warn(l), onDebug: (l) => ctx.log.debug(l),
    });
    let results: EmbedSourceResult[];
    try {
      // An unknown --source is refused by embedMany (requireSource) before anything runs.
      const names = flags.all ? (await listSources(db)).map((s) => s.name) : [...new Set(flags.sources)];
      const progress = progressReporter(ctx.log);
      results = await embedMany(
        { db, models, signal: stop.signal, timeoutMs: flags.timeoutSeconds && flags.timeoutSeconds * 1000, onProgress: progress.update },
        names,
      );
      progress.done();
      await refreshManifest(ctx, db);
    } finally {
      await models.close();
      await db.close();
    }
    for (const r of results) ctx.log.info(summary(r));
    const code = exitCode(results);
    if (ctx.json) printJson({ exitCode: code, ...waveStamp(), sources: results });
    return code;
  } finally {
    stop.dispose();
  }
}

/** 1 when a provider or the database failed, 75 when stopped with work left, else 0. */
function exitCode(results: EmbedSourceResult[]): number {
  if (results.some((r) => r.error)) return ExitCode.failed;
  if (results.some((r) => r.stopped && r.pending > 0)) return ExitCode.temporary;
  return ExitCode.ok;
}

function summary(r: EmbedSourceResult): string {
  const parts = [`${r.embedded} chunk${r.embedded === 1 ? '' : 's'} embedded`, `${r.pending} waiting`];
  if (r.stopped) parts.push(`stopped (${r.stopped})`);
  if (r.error) parts.push(`failed: ${printable(r.error)}`);
  return `${r.source}: ${parts.join(' · ')} · ${(r.ms / 1000).toFixed(2)}s`;
}

/** A redrawn bar on a terminal; otherwise a line at most every 5 s (cron logs stay short). */
function progressReporter(log: Logger) {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  let shown = false;
  return {
    update(source: string, embedded: number, pending: number) {
      const now = Date.now();
      const total = embedded + pending;
      if (tty) {
        if (now - last < 100) return;
        last = now;
        shown = true;
        const filled = total === 0 ? 30 : Math.round((embedded / total) * 30);
        process.stderr.write(`\r\x1b[K${source} [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${embedded}/${total} chunks`);
      } else if (now - last >= 5000) {
        last = now;
        log.info(`${source}: ${embedded} chunk${embedded === 1 ? '' : 's'} embedded, ${pending} waiting`);
      }
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
