import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { contextFrom } from '../context.js';
import type { Outcome } from '../main.js';
import { parseDuration } from '../parseArgs.js';

export interface StatusFlags {
  sources: string[];
  live: boolean;
  maxStalenessSeconds?: number;
  format: 'table' | 'prometheus';
}

export function registerStatus(program: Command, outcome: Outcome): void {
  program
    .command('status')
    .description('how fresh each source is, from the status manifest (no database connection): staleness, last run, failures, backlog, lock')
    .addOption(new Option('--source <name...>', 'only these sources (repeatable)'))
    .option('--live', 'query the database instead of reading the manifest')
    .option('--max-staleness <dur>', 'exit 1 when a selected source has not synced successfully for this long (e.g. 30m, 2h), naming it')
    .addOption(new Option('--format <format>', 'table, or prometheus (text exposition format on stdout, for node_exporter\'s textfile collector)'))
    .action(async (raw: RawStatusFlags, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const flags = validateStatusFlags(raw, ctx.json);
      const { runStatus } = await import('./statusRun.js');
      outcome.code = await runStatus(ctx, flags);
    });
}

interface RawStatusFlags {
  source?: string[];
  live?: boolean;
  maxStaleness?: string;
  format?: string;
}

export function validateStatusFlags(raw: RawStatusFlags, json: boolean): StatusFlags {
  const format = raw.format ?? 'table';
  if (format !== 'table' && format !== 'prometheus') {
    throw new UsageError(`--format "${raw.format}" is not a format brainsync knows: use table or prometheus (or --json for JSON).`);
  }
  if (format === 'prometheus' && json) throw new UsageError('use either --json or --format prometheus, not both.');
  return {
    sources: [...new Set(raw.source ?? [])],
    live: Boolean(raw.live),
    maxStalenessSeconds: raw.maxStaleness !== undefined ? parseDuration('--max-staleness', raw.maxStaleness) : undefined,
    format,
  };
}
