import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { FileSystemError, errorMessage } from '../errors.js';
import { writeFileAtomic } from '../writeFileAtomic.js';
import { changeMarkerPath } from './manifestPath.js';

/**
 * Invalidates a PGLite brain's status manifest before this process changes the brain: the
 * marker file is created and made durable (file and directory fsync'd) before the database
 * opens, so a change can never be on disk while the manifest still looks current. It stays
 * until a manifest rebuilt from the database after the change is in place
 * (`clearChangeMarker`, called by the manifest writer); a process that dies in between leaves
 * it, and the no-op fast path then takes the normal path. Called with the brain's directory
 * lock held, so no other process is between the marker and the change.
 */
export async function markBrainChanging(brainDir: string, command: string): Promise<void> {
  const path = changeMarkerPath(brainDir);
  const marker = JSON.stringify({ pid: process.pid, host: hostname(), command, since: new Date().toISOString() }) + '\n';
  try {
    // Durable before the database opens: the file and the directory entry are fsync'd.
    await writeFileAtomic(path, [Buffer.from(marker)]);
  } catch (err) {
    throw new FileSystemError(
      `could not create ${path}, which marks the brain's status manifest out of date while a command changes the brain ` +
        `(${errorMessage(err)}). Nothing was changed. Make the directory beside the brain writable by this user (the lock file lives there too).`,
      { cause: err },
    );
  }
}

/** After a manifest rebuilt from the database was renamed into place. A marker left behind only costs speed. */
export async function clearChangeMarker(brainDir: string): Promise<void> {
  await unlink(changeMarkerPath(brainDir)).catch(() => {});
}
