/**
 * Every error brainsync raises on purpose is a BrainsyncError with a stable `code`
 * and the exit code it maps to (DESIGN §3). Only the CLI edge turns them into exits.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  filesFailed: 3,
  temporary: 75,
  // 128 + the signal's number, as a shell reports a process that a signal ended.
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export class BrainsyncError extends Error {
  readonly code: string = 'error';
  readonly exitCode: number = ExitCode.failed;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, bad names, bad paths: the user can fix the command line. */
export class UsageError extends BrainsyncError {
  override readonly code = 'usage';
  override readonly exitCode = ExitCode.usage;
}

/** A source definition that cannot be accepted (bad name, missing repo, unknown branch). */
export class ConfigError extends BrainsyncError {
  override readonly code = 'config';
  override readonly exitCode = ExitCode.usage;
}

export class NotFoundError extends BrainsyncError {
  override readonly code = 'not_found';
  override readonly exitCode = ExitCode.usage;
}

/** A directory brainsync must create or write cannot be (permissions, a read-only file system). */
export class FileSystemError extends BrainsyncError {
  override readonly code = 'filesystem';
}

export class DbError extends BrainsyncError {
  // Widened so that subclasses (a refused right: permissionErrors.ts) can name themselves.
  override readonly code: string = 'db';
}

/** The brain was migrated by a newer brainsync than this one. */
export class SchemaTooNewError extends BrainsyncError {
  override readonly code = 'schema_too_new';
}

export class MigrationError extends BrainsyncError {
  override readonly code = 'migration';
}

export class GitFailure extends BrainsyncError {
  override readonly code = 'git';
}

/** Someone alive holds what we need (a source lock, the PGLite directory). Try again later. */
export class LockBusyError extends BrainsyncError {
  override readonly code = 'locked';
  override readonly exitCode = ExitCode.temporary;
}

/** The mass-delete guard refused a plan. */
export class MassDeleteError extends BrainsyncError {
  override readonly code = 'mass_delete';
}

/** A source's `.brainsyncignore` cannot be read as rules; syncing without them could import private notes. */
export class IgnoreFileError extends BrainsyncError {
  override readonly code = 'ignore_file';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
