import { Command, Option } from 'commander';
import { contextFrom } from '../context.js';
import { parsePositiveInt } from '../parseArgs.js';
import { addWaitOption, waitSecondsOf } from '../readerWait.js';

export interface SearchFlags {
  sources: string[];
  limit?: number;
  mode?: 'hybrid' | 'text' | 'vector';
  waitSeconds: number;
}

export function registerSearch(program: Command): void {
  const cmd = program
    .command('search <query>')
    .description('find the pages that answer a query: full text, by meaning (vectors), or both fused (the default when vectors exist)')
    // Repeatable but not variadic: `--source notes "a query"` must leave the query alone.
    .option('--source <name>', 'search this source only (repeatable; default: all)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--limit <k>', 'pages to show (default 10)')
    .addOption(new Option('--mode <mode>', 'hybrid, text or vector (default: hybrid when the sources have vectors, else text)').choices(['hybrid', 'text', 'vector']));
  addWaitOption(cmd).action(async (query: string, raw: { source?: string[]; limit?: string; mode?: SearchFlags['mode']; wait?: string }, cmd: Command) => {
      const flags: SearchFlags = {
        sources: raw.source ?? [],
        limit: raw.limit !== undefined ? parsePositiveInt('--limit', raw.limit, 1000) : undefined,
        mode: raw.mode,
        waitSeconds: waitSecondsOf(raw),
      };
      const { runSearch } = await import('./searchRun.js');
      await runSearch(contextFrom(cmd), query, flags);
    });
}
