import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { redactCredentials } from '../redact.js';

export type DbTarget =
  | { kind: 'postgres'; url: string; display: string }
  | { kind: 'pglite'; dir: string; display: string };

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
  const chosen = nonEmpty(flag) ?? nonEmpty(env.BRAINSYNC_DATABASE_URL) ?? nonEmpty(env.DATABASE_URL);
  const value = chosen ?? join(brainsyncHome(env), 'brain');
  if (postgresUrl.test(value)) return { kind: 'postgres', url: value, display: redactCredentials(value) };
  const dir = resolve(value);
  return { kind: 'pglite', dir, display: dir };
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
