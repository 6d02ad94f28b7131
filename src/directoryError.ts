import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BrainsyncError, ConfigError, FileSystemError } from './errors.js';

const notADirectory = new Set(['ENOTDIR', 'EEXIST']);
const notWritable = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * A filesystem error met while creating or writing a directory brainsync owns (the brain's,
 * the mirrors'), as a message that says which directory, what is wrong and what to do; null
 * for any other error. A file where a directory belongs is a bad setting (exit 2); missing
 * permissions are the machine's state (exit 1). `what` names the directory ("the brain
 * directory"); `advice` is a clause saying what to change ("pass --db a directory …").
 */
export async function directoryError(err: unknown, dir: string, what: string, advice: string): Promise<BrainsyncError | null> {
  const e = err as NodeJS.ErrnoException | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (notADirectory.has(code)) {
    const file = await firstFileOnPath(dir);
    return new ConfigError(
      `${what} ${dir} cannot be used: ${file ? `${file} is a file, not a directory` : 'its path goes through a file'}. ` +
        `${capitalise(advice)}.`,
      { cause: err },
    );
  }
  if (notWritable.has(code)) {
    const existing = await nearestExisting(dir);
    const problem = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user';
    const where = existing === dir ? `${dir} ${problem}` : `cannot be created: ${existing} ${problem}`;
    return new FileSystemError(
      `${what} ${dir === existing ? '' : `${dir} `}${where} (${code} on ${e?.path ?? dir}). ` +
        `Make it writable by the user that runs brainsync; or ${advice}.`,
      { cause: err },
    );
  }
  return null;
}

/** `path` itself when it exists, else its nearest existing parent. */
async function nearestExisting(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    if ((await stat(p).catch(() => null)) || dirname(p) === p) return p;
  }
}

/** The nearest existing path at or above `path` that is not a directory, if any. */
async function firstFileOnPath(path: string): Promise<string | null> {
  const chain: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    const st = await stat(p).catch(() => null);
    if (!st) return null;
    if (!st.isDirectory()) return p;
  }
  return null;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
