import { IgnoreFileError } from '../errors.js';
import type { BlobReader } from '../git/BlobReader.js';

/** Bigger than any real ignore file; keeps a runaway one from being matched against every path. */
export const maxIgnoreFileBytes = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a source's ignore file at `commit`, or null when there is none. An ignore file
 * that exists but cannot be used as rules (over the size limit, not UTF-8, a directory) fails
 * the run instead of being treated as absent: a cron job that silently drops the rules would
 * import every note they keep private, and a wrong import cannot be taken back from whoever
 * searched the brain (or an embedding service) meanwhile. Nothing is written and the bookmark
 * stays, so the next run after the fix picks up everything.
 */
export async function readIgnoreFile(
  reader: BlobReader,
  commit: string,
  path: string,
  source: string,
): Promise<string | null> {
  const found = await reader.readAtPath(commit, path, maxIgnoreFileBytes);
  if (found === null) return null;
  const refuse = (problem: string, remedy: string) =>
    new IgnoreFileError(
      `source "${source}": ${path} at commit ${commit.slice(0, 12)} ${problem}, so its rules cannot be applied. ` +
        `Nothing was synced: without them, notes it excludes would be imported. ${remedy}, commit, and sync again.`,
    );
  if (found.type !== 'blob') throw refuse(`is a ${found.type}, not a file`, `Replace it with a file`);
  if (found.content === null) {
    throw refuse(
      `is ${formatSize(found.size)}, over the ${formatSize(maxIgnoreFileBytes)} limit for an ignore file`,
      'Shorten it (a directory pattern such as `private/` covers every file under it)',
    );
  }
  try {
    return utf8.decode(found.content);
  } catch {
    throw refuse('is not valid UTF-8', 'Re-save it as UTF-8');
  }
}

/** Refuses an ignore file that is a symbolic link: its blob is the link's target, not rules. */
export function refuseIgnoreSymlink(path: string, commit: string, source: string): never {
  throw new IgnoreFileError(
    `source "${source}": ${path} at commit ${commit.slice(0, 12)} is a symbolic link, and brainsync never follows links, ` +
      'so its rules cannot be applied. Nothing was synced: without them, notes it excludes would be imported. ' +
      'Commit the ignore file itself, and sync again.',
  );
}

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
