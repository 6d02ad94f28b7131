import type { Command } from 'commander';
import { ExitCode, errorMessage } from '../../errors.js';
import { join } from 'node:path';
import { contextFrom, mirrorsDir, refreshManifest, withBrain } from '../context.js';
import type { Outcome } from '../main.js';
import { printJson } from '../output.js';
import { printable } from '../printable.js';
import { addWaitOption, waitSecondsOf } from '../readerWait.js';
import { formatSource, sourceJson } from './sourcesFormat.js';

interface EmbedFlags {
  embed?: string;
  embedUrl?: string;
  embedKeyEnv?: string;
}

export function registerSources(program: Command, outcome: Outcome): void {
  const sources = program.command('sources').description('add, list, show, change and remove sources');

  sources
    .command('add <name> <repo>')
    .description('add a source: a local git repository path or a clone URL')
    .option('--branch <branch>', 'branch to sync (default: the checked-out or remote default branch)')
    .option('--subdir <dir>', 'only sync markdown under this directory of the repository')
    .option('--embed <model>', 'embedding model: glove (the offline default) or http:MODEL')
    .option('--embed-url <url>', 'http models: the server that serves /v1/embeddings')
    .option('--embed-key-env <name>', 'http models: the environment variable that holds the API key (the key is never stored)')
    .action(async (name: string, repo: string, opts: { branch?: string; subdir?: string } & EmbedFlags, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { addSource } = await import('../../core/addSource.js');
      const row = await withBrain(ctx, async (db) => {
        const added = await addSource(db, {
          name, repo, branch: opts.branch, subdir: opts.subdir, cwd: process.cwd(),
          embedModel: opts.embed, embedUrl: opts.embedUrl, embedKeyEnv: opts.embedKeyEnv,
        });
        await refreshManifest(ctx, db);
        return added;
      });
      if (ctx.json) printJson(sourceJson(row));
      ctx.log.info(`added source ${row.name}: ${formatSource(row)}`);
    });

  sources
    .command('set <name>')
    .description("change a source's settings")
    .requiredOption('--embed <model>', 'embedding model: glove or http:MODEL (its chunks wait for a vector from the new model)')
    .option('--embed-url <url>', 'http models: the server that serves /v1/embeddings')
    .option('--embed-key-env <name>', 'http models: the environment variable that holds the API key')
    .action(async (name: string, opts: EmbedFlags & { embed: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { setSourceEmbed } = await import('../../core/setSourceEmbed.js');
      const settings = { spec: opts.embed, url: opts.embedUrl ?? null, keyEnv: opts.embedKeyEnv ?? null };
      const r = await withBrain(ctx, async (db) => {
        const set = await setSourceEmbed(db, name, settings);
        // Also when nothing changed: opening the brain marked its manifest out of date.
        await refreshManifest(ctx, db);
        return set;
      });
      if (ctx.json) printJson({ name, embedModel: opts.embed, changed: r.changed, pending: r.pending });
      ctx.log.info(
        r.changed
          ? `${name} now embeds with ${opts.embed}: its ${r.pending} chunks are queued; the next sync or \`brainsync embed\` ` +
            'embeds those the model has no vector for yet'
          : `${name} already embeds with ${opts.embed}`,
      );
    });

  addWaitOption(sources
    .command('list')
    .description('list the sources (--json: an array of source objects, see README)'))
    .action(async (opts: { wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { listSources, sourceCounts } = await import('../../db/sourcesQueries.js');
      const { rows, counts } = await withBrain(ctx, async (db) => ({
        rows: await listSources(db),
        counts: await sourceCounts(db),
      }), { waitSeconds: waitSecondsOf(opts), readOnly: true });
      if (ctx.json) return printJson(rows.map((r) => sourceJson(r, counts.get(r.id))));
      if (rows.length === 0) ctx.log.info('no sources yet: add one with `brainsync sources add NAME REPO`');
      for (const r of rows) ctx.log.info(`${r.name}  ${formatSource(r)}  ${counts.get(r.id)?.pages ?? 0} pages`);
    });

  addWaitOption(sources
    .command('show <name>')
    .description('show one source'))
    .action(async (name: string, opts: { wait?: string }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { requireSource } = await import('../../core/requireSource.js');
      const { sourceCounts } = await import('../../db/sourcesQueries.js');
      const { listFailures } = await import('../../db/failuresQueries.js');
      const { row, counts, failures } = await withBrain(ctx, async (db) => {
        const row = await requireSource(db, name);
        return { row, counts: (await sourceCounts(db, row.id)).get(row.id), failures: await listFailures(db, row.id) };
      }, { waitSeconds: waitSecondsOf(opts), readOnly: true });
      const json = sourceJson(row, counts);
      const failed = failures.map((f) => ({ path: f.path, code: f.code, message: f.message, since: f.firstSeenAt.toISOString() }));
      if (ctx.json) return printJson({ ...json, failures: failed });
      for (const [k, v] of Object.entries(json)) ctx.log.info(`${k.padEnd(14)} ${v ?? '-'}`);
      for (const f of failed) ctx.log.info(`  ${ctx.log.colour.yellow(f.code)} ${printable(f.path)}: ${printable(f.message)}`);
    });

  sources
    .command('remove <name>')
    .description('remove a source and its pages (asks for --yes)')
    .option('--yes', 'really remove it')
    .action(async (name: string, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { removeSource } = await import('../../core/removeSource.js');
      const r = await withBrain(ctx, async (db) => {
        const removed = await removeSource(db, name, Boolean(opts.yes));
        if (removed.removed) await refreshManifest(ctx, db);
        return removed;
      }, { readOnly: !opts.yes });
      if (r.removed && r.source.repoKind === 'remote') {
        // The mirror is brainsync's own clone of the URL; the user's repositories are never touched.
        const { rm } = await import('node:fs/promises');
        const mirror = join(mirrorsDir(ctx), r.source.name);
        await rm(mirror, { recursive: true, force: true }).catch((err: unknown) =>
          // The source is gone from the brain already; a mirror left behind only takes disk.
          ctx.log.warn(`could not remove brainsync's mirror ${mirror} (${errorMessage(err)}); remove it by hand.`),
        );
      }
      const what = `source ${name} with ${r.pages} pages, ${r.chunks} chunks and ${r.failures} recorded failures`;
      if (ctx.json) printJson({ name, removed: r.removed, pages: r.pages, chunks: r.chunks, failures: r.failures });
      if (r.removed) return ctx.log.info(`removed ${what}`);
      ctx.log.info(`would remove ${what}. Nothing was changed: run again with --yes to remove it.`);
      outcome.code = ExitCode.usage;
    });
}
