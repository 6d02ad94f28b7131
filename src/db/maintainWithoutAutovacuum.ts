import { analyzeStaleTables } from './analyzeStaleTables.js';
import type { Db } from './Db.js';
import { compactDrainedQueue } from './embedQueries.js';

/** VACUUM and ANALYZE cannot be interrupted: callers start this only with this much of their budget left. */
export const maintenanceMinBudgetMs = 2_000;

/** A drained embed queue whose table still holds more than this is vacuumed. */
const compactQueueBytes = 1024 * 1024;

/**
 * Autovacuum's work where there is no autovacuum (PGLite), at the end of a sync run or an
 * embed: vacuums the embed queue once a backlog has drained (compactDrainedQueue), then
 * analyzes the tables that need it (analyzeStaleTables), in that order so that the statistics
 * see the compacted queue. A few catalog queries when there is nothing to do; a failure only
 * costs speed, so it is never thrown. Nothing on Postgres, whose server does both.
 */
export async function maintainWithoutAutovacuum(db: Db): Promise<void> {
  if (db.capabilities.autovacuum) return;
  await compactDrainedQueue(db, compactQueueBytes).catch(() => false);
  await analyzeStaleTables(db).catch(() => []);
}
