import { Command, CommanderError, Option } from 'commander';
import { isConnectionError } from '../db/connectionErrors.js';
import { BrainsyncError, DbError, ExitCode, errorMessage } from '../errors.js';
import { createLogger, printJson, tolerateClosedOutput, waveStamp } from './output.js';
import { printable } from './printable.js';
import { version } from './version.js';
import { registerInit } from './commands/init.js';
import { registerSources } from './commands/sources.js';
import { registerSync } from './commands/sync.js';
import { registerPages } from './commands/pages.js';
import { registerLocks } from './commands/locks.js';
import { registerEmbed } from './commands/embed.js';
import { registerFailures } from './commands/failures.js';
import { registerVerify } from './commands/verify.js';
import { registerStatus } from './commands/status.js';
import { registerSearch } from './commands/search.js';

/** Where an action leaves its exit code (the worst of its results). */
export interface Outcome {
  code: number;
}

export function buildProgram(outcome: Outcome): Command {
  const program = new Command('brainsync')
    .description('Mirror git repositories of markdown notes into one database, safely from cron.')
    .version(version, '-V, --version', 'print the version and exit')
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
  registerEmbed(program, outcome);
  registerFailures(program);
  registerVerify(program, outcome);
  registerStatus(program, outcome);
  registerSearch(program);
  return program;
}

/** Runs the CLI and returns the exit code. The one place errors become exit codes. */
export async function main(argv: string[]): Promise<number> {
  tolerateClosedOutput();
  const outcome: Outcome = { code: ExitCode.ok };
  const program = buildProgram(outcome);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.code;
  } catch (thrown) {
    const err = describeConnectionLoss(thrown);
    const { code, message } = reportError(err, argv.includes('--debug'));
    // A machine reader asked for JSON: give it one document even when the command failed.
    if (argv.includes('--json') && message !== null) {
      printJson({ exitCode: code, ...waveStamp(), error: { code: errorCode(err), message } });
    }
    return code;
  }
}

/** Prints the error (stderr) and maps it to an exit code; `message` is null for help/version exits. */
export function reportError(err: unknown, debug: boolean): { code: number; message: string | null } {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help / version text)
    // No command (`brainsync --db X`, `brainsync sources`): help on stderr and a usage error
    // (commander's exit code 1), so that a crontab line missing its command fails instead of
    // passing for a run. `--help` and `brainsync help` asked for it: exit 0.
    if (err.code === 'commander.help' && err.exitCode !== 0) return { code: ExitCode.usage, message: 'no command given: run brainsync --help' };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return { code: ExitCode.ok, message: null };
    }
    return { code: ExitCode.usage, message: err.message.replace(/^error: /, '') };
  }
  const log = createLogger({ quiet: false, debug });
  // A message can quote a path or a git error; the --json document keeps it exact.
  if (err instanceof BrainsyncError) {
    log.error(printable(err.message));
    if (debug && err.stack) log.debug(err.stack);
    return { code: err.exitCode, message: err.message };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const message = `unexpected failure: ${e.message}. Run again with --debug for details, and report it if it persists.`;
  log.error(printable(message));
  if (debug && e.stack) log.debug(e.stack);
  return { code: ExitCode.failed, message };
}

/**
 * A driver error for a lost database connection that reached the edge (sync words its own per
 * source) gets a message that says what happened and what to do, instead of "unexpected failure".
 */
export function describeConnectionLoss(err: unknown): unknown {
  if (err instanceof BrainsyncError || !isConnectionError(err)) return err;
  return new DbError(
    `lost the connection to the database: ${errorMessage(err).replace(/\.$/, '')}. Check that the database server is up, then run the command again.`,
    { cause: err },
  );
}

function errorCode(err: unknown): string {
  if (err instanceof CommanderError) return 'usage';
  return err instanceof BrainsyncError ? err.code : 'unexpected';
}
