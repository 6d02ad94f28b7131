import type { SearchHit, SearchResponse } from '../../core/search.js';
import { highlightStart, highlightStop } from '../../db/searchQueries.js';
import { ProviderPool } from '../../embed/ProviderPool.js';
import { keyEnvironment } from '../config.js';
import { modelsDir, type CliContext } from '../context.js';
import { printJson, waveStamp } from '../output.js';
import { printable } from '../printable.js';
import type { SearchFlags } from './search.js';

export async function runSearch(ctx: CliContext, query: string, flags: SearchFlags): Promise<void> {
  const { search } = await import('../../core/search.js');
  // Search reads: it never registers a model (that, and queueing its chunks, is a writer's job).
  const models = new ProviderPool(modelsDir(), {
    env: keyEnvironment(), readOnly: true, onNotice: (l) => ctx.log.warn(l), onDebug: (l) => ctx.log.debug(l),
  });
  const opening = performance.now();
  // pgvector is loaded (PGLite: ~0.3 s) only when the search may rank by vectors.
  const db = await ctx.openBrain({ vector: flags.mode !== 'text', waitSeconds: flags.waitSeconds, readOnly: true });
  const searching = performance.now();
  let res: SearchResponse;
  try {
    res = await search({ db, models }, query, { sources: flags.sources, limit: flags.limit, mode: flags.mode });
  } finally {
    await models.close();
    await db.close();
  }
  const ms = (from: number, to = performance.now()) => Math.round(to - from);
  ctx.log.debug(`opened the brain in ${ms(opening, searching)} ms, searched in ${ms(searching)} ms (${ms(0)} ms since start)`);
  if (ctx.json) return printJson({ exitCode: 0, ...waveStamp(), query: res.query, mode: res.mode, notices: res.notices, results: res.hits });
  for (const n of res.notices) ctx.log.info(`${ctx.log.colour.yellow('note:')} ${n}`);
  if (res.hits.length === 0) ctx.log.info(`no pages match ${JSON.stringify(res.query)} (${res.mode} search).`);
  res.hits.forEach((hit, i) => ctx.log.info(formatHit(ctx, hit, i + 1)));
}

function formatHit(ctx: CliContext, hit: SearchHit, n: number): string {
  const c = ctx.log.colour;
  const ranks = [hit.ranks.text !== null ? `text #${hit.ranks.text}` : null, hit.ranks.vector !== null ? `vector #${hit.ranks.vector}` : null]
    .filter(Boolean)
    .join(' · ');
  const lines = [`${c.bold(`${n}. ${printable(hit.title)}`)}  ${c.dim(`${hit.source}:${printable(hit.path)} · ${ranks} · score ${hit.score.toPrecision(3)}`)}`];
  if (hit.headingPath.length > 0) lines.push(`   ${c.dim(printable(hit.headingPath.join(' › ')))}`);
  if (hit.snippet) lines.push(`   ${highlight(ctx, printable(hit.snippet))}`);
  return lines.join('\n');
}

/** On a terminal the matched words are coloured; elsewhere (logs, pipes) they keep their « » markers. */
function highlight(ctx: CliContext, snippet: string): string {
  if (ctx.log.colour.level === 0) return snippet;
  const marked = new RegExp(`${highlightStart}([^${highlightStop}]*)${highlightStop}`, 'g');
  return snippet.replace(marked, (_, word: string) => ctx.log.colour.bold(ctx.log.colour.yellow(word)));
}
