import { NotFoundError } from '../errors.js';
import type { Db } from './Db.js';
import { migrate, readApplied } from './migrations.js';
import { openDb, type OpenDbOptions } from './openDb.js';
import type { DbTarget } from './target.js';

/**
 * Opens a brain ready for use: `create` (init) makes and migrates a new one; otherwise the
 * brain must exist, a brain that is behind is migrated, and one newer than this binary is refused.
 */
export async function openBrain(target: DbTarget, opts: OpenDbOptions = {}): Promise<Db> {
  const db = await openDb(target, opts);
  try {
    const applied = await readApplied(db);
    if (!opts.create && applied === null) {
      throw new NotFoundError(
        `${target.display} has no brainsync schema. Create the brain with \`brainsync init\` (same --db), then try again.`,
      );
    }
    await migrate(db, undefined, applied);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}
