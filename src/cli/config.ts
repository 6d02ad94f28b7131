import { UsageError } from '../errors.js';
import { brainsyncHome, resolveDbTarget, type DbTarget } from '../db/target.js';

/** The only place that reads process.env for settings. */
export function dbTargetFromEnv(flag: string | undefined): DbTarget {
  // `--db "$BRAIN"` with BRAIN unset would otherwise sync into the default brain, unannounced.
  if (flag !== undefined && flag.trim() === '') {
    throw new UsageError('--db is empty (an unset variable in the command line?): give a PGLite directory or a postgres:// URL, or leave --db out for the default brain.');
  }
  return resolveDbTarget({ flag, env: envSubset() });
}

export function homeFromEnv(): string {
  return brainsyncHome(envSubset());
}

export function colourWanted(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

function envSubset() {
  const e = process.env;
  return {
    BRAINSYNC_DATABASE_URL: e.BRAINSYNC_DATABASE_URL,
    DATABASE_URL: e.DATABASE_URL,
    BRAINSYNC_HOME: e.BRAINSYNC_HOME,
    XDG_DATA_HOME: e.XDG_DATA_HOME,
    HOME: e.HOME,
  };
}

/** Where embedding API keys are looked up, by the variable name a source's settings give. */
export function keyEnvironment(): Record<string, string | undefined> {
  return process.env;
}
