import type { Command } from 'commander';
import type { VerifyResult } from '../../core/verifySources.js';
import { ExitCode, UsageError } from '../../errors.js';
import { contextFrom, mirrorsDir, withBrain, type CliContext } from '../context.js';
import type { Outcome } from '../main.js';
import { addWaitOption, waitSecondsOf } from '../readerWait.js';
import { printJson, waveStamp } from '../output.js';
import { printable } from '../printable.js';

/** Paths shown per kind of drift on a terminal; --json lists them all. */
const shownPaths = 20;

export function registerVerify(program: Command, outcome: Outcome): void {
  addWaitOption(program
    .command('verify'))
    .description("compare the brain with each source's bookmark commit: missing, extra and out-of-date pages (exit 1 when they differ)")
    .option('--source <name...>', 'verify these sources (repeatable)')
    .option('--all', 'verify every source')
    .action(async (raw: { source?: string[]; all?: boolean; wait?: string }, cmd: Command) => {
      const names = raw.source ?? [];
      if (names.length === 0 && !raw.all) throw new UsageError('say which sources to verify: --source NAME (repeatable) or --all.');
      if (names.length > 0 && raw.all) throw new UsageError('use either --source or --all, not both.');
      const ctx = contextFrom(cmd);
      const { verifySources } = await import('../../core/verifySources.js');
      const results = await withBrain(ctx, (db) => verifySources(db, names, { reposDir: mirrorsDir(ctx) }), { waitSeconds: waitSecondsOf(raw), readOnly: true });
      outcome.code = results.every((r) => r.clean) ? ExitCode.ok : ExitCode.failed;
      if (ctx.json) printJson({ exitCode: outcome.code, ...waveStamp(), sources: results });
      for (const r of results) printResult(ctx, r);
      if (results.length === 0) ctx.log.info('no sources to verify: add one with `brainsync sources add NAME REPO`');
    });
}

function printResult(ctx: CliContext, r: VerifyResult): void {
  const at = r.bookmark?.slice(0, 12);
  const failed = r.failed > 0 ? `, ${r.failed} failed file${r.failed === 1 ? '' : 's'} accounted for (\`brainsync failures --source ${r.source}\`)` : '';
  if (r.status === 'clean') {
    ctx.log.info(`${r.source}: ${ctx.log.colour.green('clean')} at ${at}: ${r.pages} pages match the bookmark's files${failed}`);
  } else if (r.status === 'no_bookmark') {
    ctx.log.info(`${r.source}: ${ctx.log.colour.yellow('no bookmark')}: ${printable(r.message ?? '')}. Run \`brainsync sync --source ${r.source}\`.`);
  } else if (r.status === 'error') {
    ctx.log.error(`${r.source}: cannot verify: ${printable(r.message ?? '')}. Check the source (\`brainsync sources show ${r.source}\`), or run \`brainsync sync --source ${r.source} --full\`.`);
  } else {
    const counts = [`${r.missing.length} missing`, `${r.extra.length} extra`, `${r.outdated.length} out of date`].join(', ');
    ctx.log.info(`${r.source}: ${ctx.log.colour.red('differs')} from its bookmark ${at}: ${counts}${failed}`);
    if (r.message) ctx.log.info(`  ${printable(r.message)}`);
    listPaths(ctx, 'missing', r.missing);
    listPaths(ctx, 'extra', r.extra);
    listPaths(ctx, 'out of date', r.outdated);
    ctx.log.info(
      r.unfinishedRun
        ? '  A sync of this source stopped early or is running now and has written pages past the bookmark: run `brainsync verify` again after the next complete sync.'
        : `  \`brainsync sync --source ${r.source} --full\` rewrites what differs.`,
    );
  }
}

function listPaths(ctx: CliContext, kind: string, paths: string[]): void {
  for (const p of paths.slice(0, shownPaths)) ctx.log.info(`  ${kind.padEnd(11)} ${printable(p)}`);
  if (paths.length > shownPaths) ctx.log.info(`  … ${paths.length - shownPaths} more ${kind} (--json lists them all)`);
}
