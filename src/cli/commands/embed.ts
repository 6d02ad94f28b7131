import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { contextFrom } from '../context.js';
import type { Outcome } from '../main.js';
import { parseDuration, parsePositiveInt } from '../parseArgs.js';

export interface EmbedFlags {
  sources: string[];
  all: boolean;
  timeoutSeconds?: number;
  embedBatchTokens?: number;
}

export function registerEmbed(program: Command, outcome: Outcome): void {
  program
    .command('embed')
    .description('embed the chunks that wait for a vector (the backlog sync leaves when stopped or run with --no-embed)')
    .option('--source <name...>', 'embed these sources (repeatable)')
    .option('--all', 'embed every source')
    .option('--timeout <dur>', 'time budget for the whole command, e.g. 9m (stops between batches, keeps its work, exit 75)')
    .option('--embed-batch-tokens <n>', 'onnx models: tokens per model call, instead of sizing from the GPU\'s free memory')
    .action(async (raw: { source?: string[]; all?: boolean; timeout?: string; embedBatchTokens?: string }, cmd: Command) => {
      const sources = raw.source ?? [];
      if (sources.length === 0 && !raw.all) throw new UsageError('say which sources to embed: --source NAME (repeatable) or --all.');
      if (sources.length > 0 && raw.all) throw new UsageError('use either --source or --all, not both.');
      const flags: EmbedFlags = {
        sources,
        all: Boolean(raw.all),
        timeoutSeconds: raw.timeout !== undefined ? parseDuration('--timeout', raw.timeout) : undefined,
        embedBatchTokens: raw.embedBatchTokens !== undefined ? parsePositiveInt('--embed-batch-tokens', raw.embedBatchTokens, 1 << 24) : undefined,
      };
      const { runEmbed } = await import('./embedRun.js');
      outcome.code = await runEmbed(contextFrom(cmd), flags);
    });
}
