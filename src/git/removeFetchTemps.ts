import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** What git writes into objects/pack while a pack arrives, renamed into place only when the fetch completes. */
const fetchTempPattern = /^tmp_(pack|idx|rev|mtimes|bitmap)_/;

/**
 * Removes the temp files an interrupted fetch left in a bare repository's objects/pack
 * (`tmp_pack_*`, `tmp_idx_*`, …). Git only prunes them after two weeks, so a first fetch of a
 * big repository that cron's budget cuts short would leave a pack's worth of disk behind at
 * every wave. Only for brainsync's own mirror, and only while the caller has it to itself (it
 * holds the source's lock): a fetch running meanwhile would lose its pack. Returns the names removed.
 */
export async function removeFetchTemps(bareRepo: string): Promise<string[]> {
  const packDir = join(bareRepo, 'objects', 'pack');
  const names = await readdir(packDir).catch(() => [] as string[]);
  const temps = names.filter((n) => fetchTempPattern.test(n));
  await Promise.all(temps.map((n) => rm(join(packDir, n), { force: true, recursive: true })));
  return temps;
}
