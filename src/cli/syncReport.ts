import type { SourceResult } from '../core/result.js';
import type { SyncEvent } from '../core/syncSource.js';
import type { Logger } from './output.js';
import { printable } from './printable.js';

/**
 * Human progress on stderr: a redrawn progress line on a terminal, one plain line per phase
 * otherwise (cron logs), and a summary line per source at the end.
 */
export function createSyncReporter(log: Logger) {
  const tty = Boolean(process.stderr.isTTY);
  let barShown = false;
  let lastDraw = 0;
  const clearBar = () => {
    if (barShown) process.stderr.write('\r\x1b[K');
    barShown = false;
  };
  const onEvent = (e: SyncEvent) => {
    if (e.type === 'warning') {
      clearBar();
      return log.warn(`${e.source}: ${printable(e.message)}`);
    }
    if (e.type === 'progress') {
      const now = Date.now();
      if (!tty || (now - lastDraw < 100 && e.done < e.total)) return;
      lastDraw = now;
      barShown = true;
      return void process.stderr.write(`\r\x1b[K${e.source} ${bar(e.done, e.total)} ${e.done}/${e.total}`);
    }
    if (e.phase === 'done') return clearBar();
    clearBar();
    log.info(log.colour.dim(`${e.source}: ${e.phase}${e.detail ? ` — ${e.detail}` : ''}`));
  };
  const summary = (results: SourceResult[]) => {
    clearBar();
    for (const r of results) log.info(summaryLine(log, r));
    if (results.length > 1) log.info(log.colour.dim(tally(results)));
  };
  return { onEvent, summary };
}

function summaryLine(log: Logger, r: SourceResult): string {
  const c = r.counts;
  const colourOf = { synced: log.colour.green, up_to_date: log.colour.green, dry_run: log.colour.cyan,
    partial: log.colour.yellow, locked: log.colour.yellow, failed: log.colour.red }[r.status];
  const parts = [colourOf(r.status.replace(/_/g, ' ')) + (r.reason ? ` (${r.reason})` : '')];
  if (r.status === 'dry_run' && r.plan) {
    parts.push(`would import ${r.plan.imports.length}, delete ${r.plan.deletes.length}, rename ${r.plan.renames.length}`);
  } else if (c.planned > 0) {
    parts.push(`${c.imported} imported, ${c.skipped} unchanged, ${c.deleted} deleted, ${c.renamed} renamed`);
  }
  if (c.failed > 0) parts.push(log.colour.yellow(`${c.failed} files failed`));
  if (c.embedded > 0) parts.push(`${chunks(c.embedded)} embedded`);
  if (c.pending > 0) parts.push(log.colour.yellow(`${chunks(c.pending)} ${c.pending === 1 ? 'waits' : 'wait'} for a vector`));
  if (r.message) parts.push(printable(r.message));
  parts.push(log.colour.dim(`${(r.timings.totalMs / 1000).toFixed(2)}s`));
  const lines = [`${r.source}: ${parts.join(' · ')}`];
  for (const f of r.failures.slice(0, 10)) lines.push(`  ${printable(f.path)}: ${printable(f.message)}`);
  if (r.failures.length > 10) lines.push(`  … and ${r.failures.length - 10} more (brainsync sources show ${r.source})`);
  if (r.status === 'dry_run' && r.plan) lines.push(...dryRunLines(r.plan));
  return lines.join('\n');
}

function dryRunLines(plan: NonNullable<SourceResult['plan']>): string[] {
  const ops = [
    ...plan.deletes.map((p) => `  delete  ${printable(p)}`),
    ...plan.renames.map((r) => `  rename  ${printable(r.from)} -> ${printable(r.to)}`),
    ...plan.imports.map((p) => `  import  ${printable(p)}`),
    ...plan.failures.map((f) => `  fail    ${printable(f.path)} (${f.code})`),
  ];
  return ops.length > 50 ? [...ops.slice(0, 50), `  … ${ops.length - 50} more (--json lists them all)`] : ops;
}

function tally(results: SourceResult[]): string {
  const by = new Map<string, number>();
  for (const r of results) by.set(r.status, (by.get(r.status) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s.replace(/_/g, ' ')}`).join(', ');
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return '[' + '#'.repeat(filled) + '-'.repeat(width - filled) + ']';
}

function chunks(n: number): string {
  return `${n} chunk${n === 1 ? '' : 's'}`;
}
