import { Command, Option } from 'commander';
import { defaultReaderWaitSeconds } from '../context.js';
import { contextFrom } from '../context.js';
import { parsePositiveInt, parseWait } from '../parseArgs.js';

export interface SearchFlags {
  sources: string[];
  limit?: number;
  mode?: 'hybrid' | 'text' | 'vector';
  waitSeconds: number;
}

export function registerSearch(program: Command): void {
  program
    .command('search <query>')
    .description('find the pages that answer a query: full text, by meaning (vectors), or both fused (the default when vectors exist)')
    .option('--source <name...>', 'search these sources only (repeatable; default: all)')
    .option('--limit <k>', 'pages to show (default 10)')
    .addOption(new Option('--mode <mode>', 'hybrid, text or vector (default: hybrid when the sources have vectors, else text)').choices(['hybrid', 'text', 'vector']))
    .option('--wait <dur>', `PGLite: wait this long for a brain another process holds, e.g. 2m, 0 for not at all (default ${defaultReaderWaitSeconds}s)`)
    .action(async (query: string, raw: { source?: string[]; limit?: string; mode?: SearchFlags['mode']; wait?: string }, cmd: Command) => {
      const flags: SearchFlags = {
        sources: raw.source ?? [],
        limit: raw.limit !== undefined ? parsePositiveInt('--limit', raw.limit, 1000) : undefined,
        mode: raw.mode,
        waitSeconds: raw.wait !== undefined ? parseWait(raw.wait) : defaultReaderWaitSeconds,
      };
      const { runSearch } = await import('./searchRun.js');
      await runSearch(contextFrom(cmd), query, flags);
    });
}
