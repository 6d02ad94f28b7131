import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../writeFileAtomic.js';

/**
 * PGLite only: a token inside the brain directory that the manifest writer replaces each time
 * it rewrites the manifest, and records in it (`brain.dataStamp`). The directory and its
 * manifest beside it match only while nothing has put other data there since: a brain
 * restored or copied from another moment carries the token of that moment, so a newer
 * manifest left beside it is not believed (the pg_control identifier cannot tell: a copy of
 * the same brain has the same one). Reading it needs no PGLite.
 *
 * Inside the directory, unlike the manifest, because it must travel with the data: Postgres
 * leaves files it does not know in its data directory alone, and PGLite's dumps keep them.
 */
export const dataStampFile = 'brainsync.stamp';

export function newDataStamp(): string {
  return `${new Date().toISOString()} ${randomBytes(8).toString('hex')}`;
}

/** The token in the directory, or null when there is none (never stamped, or unreadable). */
export async function readDataStamp(brainDir: string): Promise<string | null> {
  try {
    return (await readFile(join(brainDir, dataStampFile), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Replaces the token (temp + rename). A write that is lost or torn by a crash only makes the
 * pair differ, which readers answer by asking the database.
 */
export async function writeDataStamp(brainDir: string, stamp: string): Promise<void> {
  await writeFileAtomic(join(brainDir, dataStampFile), [Buffer.from(stamp + '\n')]);
}
