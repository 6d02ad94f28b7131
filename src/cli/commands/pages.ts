import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import { contextFrom, withBrain } from '../context.js';
import { printJson } from '../output.js';
import { addWaitOption, waitSecondsOf } from '../readerWait.js';

export function registerPages(program: Command): void {
  const pages = program.command('pages').description('look at the pages in the brain');

  addWaitOption(pages
    .command('list'))
    .description('list the pages of a source (path, slug, title, blob id, chunk count)')
    .requiredOption('--source <name>', 'the source whose pages to list')
    .action(async (opts: { source: string; wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { requireSource } = await import('../../core/requireSource.js');
      const { listPageSummaries } = await import('../../db/pagesQueries.js');
      const rows = await withBrain(ctx, async (db) => listPageSummaries(db, (await requireSource(db, opts.source)).id), {
        waitSeconds: waitSecondsOf(opts),
      });
      if (ctx.json) return printJson(rows);
      if (rows.length === 0) ctx.log.info(`source ${opts.source} has no pages yet: run \`brainsync sync --source ${opts.source}\``);
      for (const r of rows) ctx.log.info(`${r.path}  ${r.slug}  "${r.title}"  ${r.blobOid.slice(0, 10)}  ${r.chunks} chunks`);
    });

  addWaitOption(pages
    .command('show <slug>'))
    .description('show one page by its slug')
    .option('--source <name>', 'the source to look in (needed when several have this slug)')
    .action(async (slug: string, opts: { source?: string; wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { requireSource } = await import('../../core/requireSource.js');
      const { findPagesBySlug } = await import('../../db/pagesQueries.js');
      const found = await withBrain(
        ctx,
        async (db) => findPagesBySlug(db, slug, opts.source ? (await requireSource(db, opts.source)).id : null),
        { waitSeconds: waitSecondsOf(opts) },
      );
      if (found.length === 0) {
        throw new NotFoundError(`no page with slug "${slug}"${opts.source ? ` in source ${opts.source}` : ''}. \`brainsync pages list --source NAME\` shows the slugs.`);
      }
      if (found.length > 1) {
        throw new UsageError(`slug "${slug}" exists in several sources (${found.map((p) => p.source).join(', ')}): add --source NAME.`);
      }
      const page = found[0];
      if (ctx.json) return printJson(page);
      ctx.log.info(`${page.title}\n${ctx.log.colour.dim(`${page.source}:${page.path} · ${page.slug} · ${page.chunks} chunks · blob ${page.blobOid}`)}`);
      if (page.tags.length > 0) ctx.log.info(ctx.log.colour.dim(`tags: ${page.tags.join(', ')}`));
      process.stdout.write(page.body.endsWith('\n') ? page.body : page.body + '\n');
    });
}
