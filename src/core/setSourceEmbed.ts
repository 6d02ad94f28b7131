import type { Db } from '../db/Db.js';
import { countPending, enqueueSourceChunks } from '../db/embedQueries.js';
import { setEmbedModel } from '../db/sourcesQueries.js';
import { defaultEmbedSpec, validateEmbedSpec } from '../embed/embedSpec.js';
import { requireSource } from './requireSource.js';

/**
 * Changes the model a source is embedded with. Vectors are kept by (model, chunk hash), so the
 * old model's vectors stay (another source may use them, and switching back is free); every
 * chunk of the source is queued for the new model, which skips those it already has.
 */
export async function setSourceEmbed(db: Db, name: string, spec: string): Promise<{ changed: boolean; pending: number }> {
  validateEmbedSpec(spec);
  const source = await requireSource(db, name);
  if ((source.embedModel ?? defaultEmbedSpec) === spec) return { changed: false, pending: await countPending(db, source.id) };
  await db.transaction(async (tx) => {
    await setEmbedModel(tx, source.id, spec);
    await enqueueSourceChunks(tx, source.id);
  });
  return { changed: true, pending: await countPending(db, source.id) };
}
