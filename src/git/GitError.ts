import { redactCredentials } from '../redact.js';

/**
 * A git child process failed, could not start, or answered something we could not use.
 * The rest of the app maps it to its own error types; this module only says what git said.
 */
export class GitError extends Error {
  constructor(
    message: string,
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** `git cat-file --batch` answered `<oid> missing` (or `ambiguous`) for one read. */
export class GitObjectMissingError extends GitError {
  constructor(
    readonly oid: string,
    args: string[],
  ) {
    super(`git cat-file: object ${oid} is missing from the repository`, args, null, '');
  }
}

/** Git usually puts the real reason on a `fatal:` / `error:` line, after chatter like "Cloning into". */
export function firstStderrLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? '';
}

/** Name of the git subcommand in an argument list (skipping leading `-c key=value` pairs). */
export function gitCommandName(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return a;
  }
  return args[0] ?? '';
}

export function gitFailure(args: string[], exitCode: number | null, signal: string | null, stderr: string): GitError {
  const cleanArgs = args.map(redactCredentials);
  const cleanStderr = redactCredentials(stderr);
  const how = exitCode !== null ? `exit ${exitCode}` : `killed by ${signal ?? 'a signal'}`;
  const line = firstStderrLine(cleanStderr);
  const message = `git ${gitCommandName(cleanArgs)} failed (${how})${line ? `: ${line}` : ''}${ownershipAdvice(cleanStderr)}`;
  return new GitError(message, cleanArgs, exitCode, cleanStderr);
}

/**
 * Git (2.35.2 and later) refuses a repository another user owns; its own hint is on a later
 * stderr line than the one the message quotes, so it is repeated here.
 */
function ownershipAdvice(stderr: string): string {
  const m = /detected dubious ownership in repository at '([^']*)'/.exec(stderr);
  if (!m) return '';
  return `. Git refuses a repository another user owns: run \`git config --global --add safe.directory ${m[1]}\` ` +
    'as the user brainsync runs as, or run brainsync as the repository\'s owner';
}
