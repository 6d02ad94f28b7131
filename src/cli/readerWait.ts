import type { Command } from 'commander';
import { defaultReaderWaitSeconds } from './context.js';
import { parseWait } from './parseArgs.js';

/**
 * Commands that only read the brain wait for a PGLite brain that a sync holds (PGLite is one
 * process at a time) instead of failing at once: `--wait DUR`, default 30 s.
 */
export function addWaitOption(cmd: Command): Command {
  return cmd.option(
    '--wait <dur>',
    `PGLite: wait up to this long for a brain another process holds, e.g. 2m; 0 = not at all (default ${defaultReaderWaitSeconds}s)`,
  );
}

export function waitSecondsOf(opts: { wait?: string }): number {
  return opts.wait !== undefined ? parseWait(opts.wait) : defaultReaderWaitSeconds;
}
