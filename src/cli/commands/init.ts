import type { Command } from 'commander';
import { contextFrom, refreshManifest, withBrain } from '../context.js';
import { printJson } from '../output.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the brain, or bring an existing one up to date')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { readApplied } = await import('../../db/migrations.js');
      const result = await withBrain(
        ctx,
        async (db) => {
          await refreshManifest(ctx, db);
          return { version: (await readApplied(db))?.at(-1)?.version ?? 0, vector: db.capabilities.vector };
        },
        { create: true, vector: true },
      );
      if (ctx.json) printJson({ brain: ctx.target.display, schemaVersion: result.version, vector: result.vector });
      ctx.log.info(`brain ready at ${ctx.target.display} (schema version ${result.version})`);
      if (!result.vector) {
        ctx.log.warn('this Postgres has no pgvector extension: sync works, embeddings are unavailable until it is installed.');
      }
    });
}
