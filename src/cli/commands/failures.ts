import type { Command } from 'commander';
import type { SourceFailureRow } from '../../db/failuresQueries.js';
import { contextFrom, withBrain, type CliContext } from '../context.js';
import { formatTable } from '../formatTable.js';
import { printJson } from '../output.js';
import { printable } from '../printable.js';
import { addWaitOption, waitSecondsOf } from '../readerWait.js';

export function registerFailures(program: Command): void {
  addWaitOption(program
    .command('failures'))
    .description('list the files that failed to import: path, code, message, blob, first and last seen, attempts')
    .option('--source <name...>', 'only these sources (repeatable; default: every source)')
    .action(async (opts: { source?: string[]; wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { sourceFailures } = await import('../../core/sourceFailures.js');
      const rows = await withBrain(ctx, (db) => sourceFailures(db, opts.source ?? []), { waitSeconds: waitSecondsOf(opts), readOnly: true });
      if (ctx.json) return printJson(rows.map(failureJson));
      printFailures(ctx, rows);
    });
}

/** The object `failures --json` prints per failed file (documented in README). */
export function failureJson(f: SourceFailureRow) {
  return {
    source: f.source,
    path: f.path,
    code: f.code,
    message: f.message,
    blobOid: f.blobOid,
    firstSeenAt: f.firstSeenAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
    attempts: f.attempts,
  };
}

function printFailures(ctx: CliContext, rows: SourceFailureRow[]): void {
  if (rows.length === 0) return ctx.log.info('no recorded file failures');
  const table = formatTable(
    ['SOURCE', 'PATH', 'CODE', 'ATTEMPTS', 'FIRST SEEN', 'LAST SEEN', 'BLOB'],
    rows.map((f) => [f.source, printable(f.path), f.code, String(f.attempts), minute(f.firstSeenAt), minute(f.lastSeenAt), f.blobOid.slice(0, 10)]),
  );
  ctx.log.info(table[0]);
  rows.forEach((f, i) => {
    ctx.log.info(table[i + 1]);
    ctx.log.info(ctx.log.colour.dim(`    ${printable(f.message)}`));
  });
  const sources = [...new Set(rows.map((f) => f.source))];
  ctx.log.info(
    `\n${rows.length} failed file${rows.length === 1 ? '' : 's'}. A failed file is retried when its content changes: fix it and commit. ` +
      `To try them all again now: brainsync sync ${sources.map((s) => `--source ${s}`).join(' ')} --retry-failed`,
  );
}

/** UTC to the minute: enough to tell runs apart, short enough for a table. */
function minute(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}
