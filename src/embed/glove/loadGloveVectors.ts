import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbedError } from '../EmbedError.js';
import { writeFileAtomic } from '../../writeFileAtomic.js';
import { buildSifTable, sifWeighting, type SifTable } from './buildSifTable.js';
import { encodeGloveCache, openGloveCache, type GloveCacheHeader, type GloveCacheKey } from './gloveCache.js';
import { readWinkVectors } from './readWinkVectors.js';
import { findWinkPackage, winkPackageName, type WinkPackage } from './winkPackage.js';

export interface LoadedGloveVectors {
  table: SifTable;
  header: GloveCacheHeader;
  cacheFile: string;
  /** 'cache': read from the binary cache; 'converted': built from the package's JSON now. */
  source: 'cache' | 'converted';
  /** Why an existing cache file was not used (absent when there was none, or it was used). */
  rebuiltBecause?: string;
}

export interface LoadGloveVectorsOptions {
  /** Directory of the binary cache (brainsync's models directory); created when missing. */
  cacheDir: string;
  model: string;
  /** How many of the most frequent words to keep. */
  maxWords: number;
  /** SIF smoothing parameter a. */
  sifSmoothing: number;
  signal?: AbortSignal;
}

/**
 * The weighted word vectors from `<cacheDir>/<model>.bin`, building that file from the npm
 * package's JSON when it is missing, damaged, or built from another package or settings.
 */
export async function loadGloveVectors(opts: LoadGloveVectorsOptions): Promise<LoadedGloveVectors> {
  const cacheFile = join(opts.cacheDir, `${opts.model}.bin`);
  const pkg = await findWinkPackage();
  const key: GloveCacheKey = {
    model: opts.model,
    source: pkg?.stamp ?? null,
    maxWords: opts.maxWords,
    weighting: `${sifWeighting} a=${opts.sifSmoothing}`,
  };
  opts.signal?.throwIfAborted();
  const opened = openGloveCache(cacheFile, key);
  let rebuiltBecause: string | undefined;
  if (opened && !('problem' in opened)) return { ...opened, cacheFile, source: 'cache' };
  if (opened) rebuiltBecause = opened.problem;
  if (!pkg) {
    throw new EmbedError(
      `${cacheFile}: ${rebuiltBecause ?? 'missing'}, and the ${winkPackageName} package it is built from is not installed. Reinstall brainsync (npm ci) and run again.`,
    );
  }
  const built = await convert(pkg, cacheFile, { ...key, source: pkg.stamp }, opts);
  return { ...built, cacheFile, source: 'converted', rebuiltBecause };
}

async function convert(pkg: WinkPackage, cacheFile: string, key: GloveCacheKey & { source: string }, opts: LoadGloveVectorsOptions) {
  const vectors = await readWinkVectors(pkg.jsonFile, { maxWords: opts.maxWords, signal: opts.signal });
  const table = buildSifTable(vectors, opts.sifSmoothing);
  const { header, parts } = encodeGloveCache(table, key);
  try {
    await mkdir(opts.cacheDir, { recursive: true });
    await writeFileAtomic(cacheFile, parts, { signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError' || opts.signal?.aborted) throw err;
    throw new EmbedError(
      `${cacheFile}: cannot write the word-vector cache: ${(err as Error).message}. The models directory must be writable (about 45 MB).`,
      { cause: err },
    );
  }
  return { table, header };
}
