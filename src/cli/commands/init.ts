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
        // Vectors are real[] on every server: only the index needs pgvector (README, Embeddings).
        ctx.log.warn(
          'this Postgres has no pgvector extension (or this user may not create it): sync and embeddings work as usual, ' +
            'but vector search ranks by an exact scan, which slows down as the brain grows. ' +
            'Install pgvector on the server and brainsync enables it on its next run, with an HNSW index per model.',
        );
      }
    });
}
