import type { Db } from '../db/Db.js';
import { countPending, enqueueSourceChunks, recordPending } from '../db/embedQueries.js';
import { embedSettingsOf, setEmbedSettings } from '../db/sourcesQueries.js';
import { defaultEmbedSpec, validateEmbedSettings, type EmbedSettings } from '../embed/embedSpec.js';
import { requireSource } from './requireSource.js';

/**
 * Changes the model a source is embedded with. Vectors are kept by (model, chunk hash), so the
 * old model's vectors stay (another source may use them, and switching back is free); every
 * chunk of the source is queued for the new model, which skips those it already has.
 */
export async function setSourceEmbed(db: Db, name: string, wanted: EmbedSettings): Promise<{ changed: boolean; pending: number }> {
  validateEmbedSettings(wanted);
  const source = await requireSource(db, name);
  const now = embedSettingsOf(source);
  const same = (now.spec ?? defaultEmbedSpec) === (wanted.spec ?? defaultEmbedSpec) && now.url === wanted.url;
  if (same && now.keyEnv === wanted.keyEnv) return { changed: false, pending: await countPending(db, source.id) };
  await db.transaction(async (tx) => {
    await setEmbedSettings(tx, source.id, wanted);
    // Only a new model or server can need new vectors; a new key variable cannot.
    if (!same) await enqueueSourceChunks(tx, source.id);
  });
  const pending = await countPending(db, source.id);
  await recordPending(db, source.id, pending);
  return { changed: true, pending };
}
