import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `parts` to `path` so that readers see either the old file or the complete new one:
 * a temp file in the same directory (rename is atomic only within a file system), fsync,
 * rename, then fsync of the directory so the rename survives a crash. Two processes writing
 * the same path at once each rename their own temp file; the last one wins, whole.
 */
export async function writeFileAtomic(path: string, parts: readonly Uint8Array[], opts: { signal?: AbortSignal } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      for (const part of parts) {
        opts.signal?.throwIfAborted();
        // write() may write less than asked (rarely, for regular files): loop until done.
        for (let done = 0; done < part.byteLength; ) {
          done += (await handle.write(part, done, part.byteLength - done)).bytesWritten;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    opts.signal?.throwIfAborted();
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  // Not every platform can open or fsync a directory (Windows); the rename has happened
  // either way, so this only narrows the crash window where it can.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
