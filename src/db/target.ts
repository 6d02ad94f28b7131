import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { redactCredentials } from '../redact.js';

/** The setting a brain's location came from, named when that location is unusable. */
export type DbSetting = '--db' | 'BRAINSYNC_DATABASE_URL' | 'DATABASE_URL' | 'BRAINSYNC_HOME' | 'XDG_DATA_HOME' | 'HOME';

export type DbTarget =
  | { kind: 'postgres'; url: string; display: string }
  | { kind: 'pglite'; dir: string; display: string; from?: DbSetting };

export interface DbTargetInputs {
  /** The --db flag. */
  flag?: string;
  /** Values read from the environment by the CLI edge. */
  env: {
    BRAINSYNC_DATABASE_URL?: string;
    DATABASE_URL?: string;
    BRAINSYNC_HOME?: string;
    XDG_DATA_HOME?: string;
    HOME?: string;
  };
}

const postgresUrl = /^postgres(ql)?:\/\//i;

/** --db > BRAINSYNC_DATABASE_URL > DATABASE_URL > the default PGLite directory. */
export function resolveDbTarget({ flag, env }: DbTargetInputs): DbTarget {
  const given: Array<[string | undefined, DbSetting]> = [
    [flag, '--db'],
    [env.BRAINSYNC_DATABASE_URL, 'BRAINSYNC_DATABASE_URL'],
    [env.DATABASE_URL, 'DATABASE_URL'],
  ];
  const chosen = given.find(([v]) => nonEmpty(v));
  const [value, from]: [string, DbSetting] = chosen ? [chosen[0]!, chosen[1]] : [join(brainsyncHome(env), 'brain'), homeSetting(env)];
  if (postgresUrl.test(value)) {
    checkPostgresUrl(value, from);
    return { kind: 'postgres', url: value, display: redactCredentials(value) };
  }
  const dir = resolve(value);
  return { kind: 'pglite', dir, display: dir, from };
}

/**
 * Refuses a Postgres URL that would connect somewhere else than meant: a password (or user
 * name) holding `/`, `?` or `#` that is not percent-encoded ends the URL's host part early, so
 * the driver would look up a piece of the password as a host name (and print it), or reject
 * the URL as "Invalid URL". The tell: an `@` after the host part.
 */
function checkPostgresUrl(value: string, from: DbSetting): void {
  const rest = value.replace(postgresUrl, '');
  const end = rest.search(/[/?#]/);
  const misplacedAt = end >= 0 && rest.slice(end).includes('@');
  let valid = true;
  try {
    new URL(value);
  } catch {
    valid = false;
  }
  if (!misplacedAt && valid) return;
  throw new UsageError(
    `${from} is not a valid Postgres URL (${redactCredentials(value)}). Percent-encode special characters in the ` +
      'user name and password: / as %2F, ? as %3F, # as %23, @ as %40, : as %3A, % as %25.',
  );
}

/** Which setting placed brainsync's data directory. */
export function homeSetting(env: DbTargetInputs['env']): DbSetting {
  return nonEmpty(env.BRAINSYNC_HOME) ? 'BRAINSYNC_HOME' : nonEmpty(env.XDG_DATA_HOME) ? 'XDG_DATA_HOME' : 'HOME';
}

/** How messages name the directory that holds a PGLite brain. */
export function brainParentName(from: DbSetting | undefined): string {
  if (from === 'BRAINSYNC_HOME' || from === 'XDG_DATA_HOME') return `brainsync's data directory (from ${from})`;
  if (from === undefined || from === 'HOME') return "brainsync's data directory";
  return "the brain's parent directory";
}

/** What to change so that a PGLite brain lands in a usable directory, as a clause ("pass --db …"). */
export function moveBrainAdvice(from: DbSetting | undefined): string {
  switch (from) {
    case '--db':
      return 'pass --db a directory this user can write';
    case 'BRAINSYNC_DATABASE_URL':
    case 'DATABASE_URL':
      return `set ${from} to a directory this user can write (or a postgres:// URL)`;
    case 'XDG_DATA_HOME':
      return 'point BRAINSYNC_HOME (or XDG_DATA_HOME) at a directory this user can write, or pass --db DIR';
    default:
      return 'point BRAINSYNC_HOME at a directory this user can write, or pass --db DIR';
  }
}

/** ${BRAINSYNC_HOME:-$XDG_DATA_HOME/brainsync}, falling back to ~/.local/share/brainsync. */
export function brainsyncHome(env: DbTargetInputs['env']): string {
  const home = nonEmpty(env.BRAINSYNC_HOME);
  if (home) return resolve(home);
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  if (xdg) return join(resolve(xdg), 'brainsync');
  return join(nonEmpty(env.HOME) ?? homedir(), '.local', 'share', 'brainsync');
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() !== '' ? v : undefined;
}
