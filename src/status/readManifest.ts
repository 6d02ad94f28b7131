import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbTarget } from '../db/target.js';
import { dirLockHeld } from '../locks/dirLock.js';
import { postgresIdentity } from './manifestPath.js';
import { readDataStamp } from './dataStamp.js';
import { ManifestUnreadable, parseManifest, type Manifest } from './manifest.js';

export type ManifestRead = { ok: true; manifest: Manifest } | { ok: false; why: string };

export interface ReadManifestOptions {
  /**
   * Believe a PGLite manifest whose data stamp differs while another process holds the brain
   * (`status`): a writer replaces the stamp and then the manifest, so a reader can fall between
   * the two, and the holder rewrites the manifest anyway. The no-op fast path, which holds the
   * lock itself, never does.
   */
  believeWhileHeld?: boolean;
}

/**
 * Reads the manifest and checks that it describes the brain the command was pointed at, as its
 * data is now — without opening the database. For a PGLite brain the cluster identifier is
 * read from `global/pg_control` (8 bytes that never change after creation), so a manifest left
 * by a brain that was deleted and created again at the same path is not believed; and the
 * token in the directory must be the one the manifest names (dataStamp.ts), so neither is a
 * newer manifest left beside a brain restored from an older copy.
 */
export async function readManifest(target: DbTarget, path: string, opts: ReadManifestOptions = {}): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? `there is no status manifest at ${path} yet` : `cannot read ${path} (${code ?? String(err)})` };
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(text);
  } catch (err) {
    if (!(err instanceof ManifestUnreadable)) throw err;
    return { ok: false, why: `the status manifest ${path} is unreadable (${err.message})` };
  }
  if (!sameBrain(target, manifest.brain)) {
    return { ok: false, why: `the status manifest ${path} describes another brain (${manifest.brain.target})` };
  }
  if (target.kind === 'pglite' && manifest.brain.systemIdentifier !== null) {
    const current = await pgliteSystemIdentifier(target.dir);
    if (current !== manifest.brain.systemIdentifier) {
      return {
        ok: false,
        why: current === null
          ? `the status manifest ${path} describes a brain that is no longer at ${target.dir}`
          : `the status manifest ${path} was written for an earlier brain at ${target.dir}`,
      };
    }
    const stamp = await readDataStamp(target.dir);
    if (!stampsMatch(stamp, manifest.brain.dataStamp) && !(opts.believeWhileHeld && (await dirLockHeld(target.dir)))) {
      return {
        ok: false,
        why: typeof manifest.brain.dataStamp !== 'string'
          ? `the status manifest ${path} (brainsync ${manifest.version}) does not say which state of ${target.dir} it describes`
          : `the status manifest ${path} does not match the data now in ${target.dir} (the directory was restored or copied since, or the manifest's last rewrite failed)`,
      };
    }
  }
  return { ok: true, manifest };
}

/**
 * Whether the manifest names the brain the command was pointed at. A Postgres brain is its
 * host, port and database — what its manifest file is named by — so a manifest written by
 * another role, or through another spelling of the URL (`postgresql://`, `?application_name=`),
 * is this brain's, as the shared file name already says.
 */
function sameBrain(target: DbTarget, brain: Manifest['brain']): boolean {
  if (target.kind === 'pglite') return brain.target === target.display;
  return brain.kind !== 'pglite' && postgresIdentity(brain.target) === postgresIdentity(target.url);
}

/**
 * Whether the directory's token is the one the manifest names. Neither stamped (a manifest
 * field absent, no file: no stamping brainsync has written since an upgrade) is believed as
 * before; a restored copy of such a directory beside a stamped manifest is not.
 */
function stampsMatch(inDirectory: string | null, named: string | null | undefined): boolean {
  return named === undefined ? inDirectory === null : inDirectory !== null && inDirectory === named;
}

/** The cluster identifier at the start of a data directory's pg_control (little-endian, as WebAssembly is). */
export async function pgliteSystemIdentifier(dir: string): Promise<string | null> {
  try {
    const handle = await open(join(dir, 'global', 'pg_control'), 'r');
    try {
      const buf = Buffer.alloc(8);
      const { bytesRead } = await handle.read(buf, 0, 8, 0);
      return bytesRead === 8 ? buf.readBigUInt64LE(0).toString() : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
