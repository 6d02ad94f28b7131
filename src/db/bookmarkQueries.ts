import type { Queryable } from './Db.js';

/**
 * Remembers a target before any page is written for it: if the run stops early (or is
 * killed), its writes may be ahead of the bookmark, and the next plan revisits those paths.
 */
export async function addPendingTarget(db: Queryable, sourceId: number, target: string): Promise<void> {
  await db.query(
    `update sources set pending_targets = array_append(pending_targets, $2::text)
      where id = $1 and not ($2::text = any(pending_targets))`,
    [sourceId, target],
  );
}

/** Advances the bookmark; everything up to the target is in the brain, nothing is pending. */
export async function setBookmark(db: Queryable, sourceId: number, target: string): Promise<void> {
  await db.query(
    `update sources set bookmark_commit = $2, bookmark_at = now(), pending_targets = '{}' where id = $1`,
    [sourceId, target],
  );
}
