import type { Command } from 'commander';
import { contextFrom, withBrain } from '../context.js';
import { printJson } from '../output.js';
import { printable } from '../printable.js';
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
        waitSeconds: waitSecondsOf(opts), readOnly: true,
      });
      if (ctx.json) return printJson(rows);
      if (rows.length === 0) ctx.log.info(`source ${opts.source} has no pages yet: run \`brainsync sync --source ${opts.source}\``);
      for (const r of rows) {
        ctx.log.info(`${printable(r.path)}  ${printable(r.slug)}  "${printable(r.title)}"  ${r.blobOid.slice(0, 10)}  ${r.chunks} chunks`);
      }
    });

  addWaitOption(pages
    .command('show <slug>'))
    .description('show one page by its slug: frontmatter, body, links out and links in, wikilinks resolved')
    .option('--source <name>', 'the source to look in (needed when several have this slug)')
    .action(async (slug: string, opts: { source?: string; wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { showPage } = await import('../../core/showPage.js');
      const { printShownPage, shownPageJson } = await import('./pagesFormat.js');
      const shown = await withBrain(ctx, (db) => showPage(db, slug, opts.source ?? null), { waitSeconds: waitSecondsOf(opts), readOnly: true });
      if (ctx.json) return printJson(shownPageJson(shown));
      printShownPage(ctx, shown);
    });
}
