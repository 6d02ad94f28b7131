import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { BrainsyncError, ExitCode } from '../errors.js';
import { createLogger } from './output.js';
import { registerInit } from './commands/init.js';
import { registerSources } from './commands/sources.js';
import { registerSync } from './commands/sync.js';
import { registerPages } from './commands/pages.js';
import { registerLocks } from './commands/locks.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Where an action leaves its exit code (the worst of its results). */
export interface Outcome {
  code: number;
}

export function buildProgram(outcome: Outcome): Command {
  const program = new Command('brainsync')
    .description('Mirror git repositories of markdown notes into one database, safely from cron.')
    .version(pkg.version, '-V, --version', 'print the version and exit')
    .addOption(new Option('--db <url|dir>', 'the brain: a postgres:// URL or a PGLite directory (env: BRAINSYNC_DATABASE_URL)'))
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--debug', 'print debugging detail and error stacks')
    .option('-q, --quiet', 'print only warnings and errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerInit(program);
  registerSources(program, outcome);
  registerSync(program, outcome);
  registerPages(program);
  registerLocks(program);
  return program;
}

/** Runs the CLI and returns the exit code. The one place errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  const outcome: Outcome = { code: ExitCode.ok };
  const program = buildProgram(outcome);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
}

export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help / version text)
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  const log = createLogger({ quiet: false, debug });
  if (err instanceof BrainsyncError) {
    log.error(err.message);
    if (debug && err.stack) log.debug(err.stack);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log.error(`unexpected failure: ${e.message}. Run again with --debug for details, and report it if it persists.`);
  if (debug && e.stack) log.debug(e.stack);
  return ExitCode.failed;
}
