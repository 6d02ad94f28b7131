import { randomBytes } from 'node:crypto';
import { maintainWithoutAutovacuum, maintenanceMinBudgetMs } from '../db/maintainWithoutAutovacuum.js';
import type { Db } from '../db/Db.js';
import { hasPending, countPending, recordPending } from '../db/embedQueries.js';
import { embedSettingsOf, type SourceRow } from '../db/sourcesQueries.js';
import { requireSource } from './requireSource.js';
import type { EmbedOutcome } from '../embed/embedSource.js';
import type { ProviderPool } from '../embed/ProviderPool.js';
import { workerName } from '../embed/releaseDeadClaims.js';
import { errorMessage } from '../errors.js';
import { budgetController, stopReasonOf } from './abort.js';

export interface EmbedSourceResult extends EmbedOutcome {
  source: string;
}

export interface EmbedManyInput {
  db: Db;
  models: ProviderPool;
  /** Process-level stop (signals). */
  signal: AbortSignal;
  /** One budget for the whole command (undefined: none). */
  timeoutMs?: number;
  onProgress?: (source: string, embedded: number, pending: number) => void;
}

/**
 * `brainsync embed`: works through the backlog of each source, without the sources' sync
 * locks — several embed processes (hosts) share a backlog through expiring claims, and a sync
 * running at the same time only adds to it. Sources are taken grouped by model, so each model
 * is loaded once and serves all of its sources.
 */
function modelKey(s: SourceRow): string {
  return JSON.stringify([s.embedModel ?? '', s.embedUrl ?? '']);
}

export async function embedMany(input: EmbedManyInput, names: string[]): Promise<EmbedSourceResult[]> {
  const budget = budgetController(input.timeoutMs);
  const signal = AbortSignal.any([input.signal, budget.signal]);
  const writeSignal = AbortSignal.any([input.signal, budget.writeSignal]);
  const worker = workerName(randomBytes(4).toString('hex'));
  const sources = [];
  for (const name of names) sources.push(await requireSource(input.db, name));
  sources.sort((a, b) => modelKey(a).localeCompare(modelKey(b)));
  const out: EmbedSourceResult[] = [];
  try {
    for (const source of sources) {
      const t0 = performance.now();
      const none = { source: source.name, embedded: 0, pending: 0, ms: 0, stopped: null, error: null };
      if (signal.aborted) {
        out.push({ ...none, pending: await countPending(input.db, source.id), stopped: stopReasonOf(signal) });
        continue;
      }
      // The model is loaded even for a source with nothing queued: a model the brain has not
      // seen (a server now running another model) queues every chunk of its sources as it
      // loads, and this command is what search's "no vectors yet" notice sends people to.
      if (!(await hasPending(input.db, source.id))) {
        const loaded = await input.models.get(input.db, embedSettingsOf(source), signal).then(() => true, () => false);
        if (!loaded || !(await hasPending(input.db, source.id))) {
          out.push(none);
          continue;
        }
      }
      try {
        const model = await input.models.get(input.db, embedSettingsOf(source), signal);
        // Loaded here, not at the top: the package entry exports embedMany, and the sync path must not load it.
        const { embedSource } = await import('../embed/embedSource.js');
        const o = await embedSource({
          db: input.db, sourceId: source.id, provider: model.provider, modelId: model.modelId, worker,
          signal, writeSignal, timeLeft: budget.timeLeft,
          onProgress: (done, pending) => input.onProgress?.(source.name, done, pending),
        });
        out.push({ source: source.name, ...o });
      } catch (err) {
        const pending = await countPending(input.db, source.id);
        const ms = Math.round(performance.now() - t0);
        // The budget or a signal ended the model's loading (a first GloVe cache build, say):
        // stopped with work left, as when it ends the embedding itself; not a failed model.
        if (signal.aborted) out.push({ ...none, pending, ms, stopped: stopReasonOf(signal) });
        else out.push({ ...none, pending, ms, error: errorMessage(err) });
      }
    }
    // Autovacuum's work where there is none (PGLite), so that the next sync does not pay for it.
    if (!signal.aborted && budget.timeLeft() >= maintenanceMinBudgetMs) await maintainWithoutAutovacuum(input.db);
  } finally {
    budget.dispose();
  }
  await recordBacklogs(input.db, sources, out);
  return out;
}

/** What the status manifest shows as pending; a source whose count failed (-1) keeps its last one. */
async function recordBacklogs(db: Db, sources: SourceRow[], results: EmbedSourceResult[]): Promise<void> {
  for (const r of results) {
    const source = sources.find((s) => s.name === r.source);
    if (source && r.pending >= 0) await recordPending(db, source.id, r.pending).catch(() => undefined);
  }
}
