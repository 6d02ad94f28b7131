import { MassDeleteError } from '../errors.js';

/** Below this many deletions the guard never fires: small sources shrink legitimately. */
export const massDeleteFloor = 50;

/**
 * A wrong branch, an emptied checkout or a mis-set subdirectory must not wipe a brain:
 * a plan deleting more than half of a source's pages (and more than the floor) is refused.
 * Only pages count: the plan never holds deletes of files that were not pages, and the caller
 * counts only planned deletes whose pages are still stored — a run stopped after its deletes
 * (bookmark not yet advanced) plans them again, and counting them against the smaller page
 * count left would refuse every later run.
 */
export function checkMassDelete(source: string, deleting: number, storedPages: number): void {
  const n = deleting;
  if (n <= massDeleteFloor || n <= storedPages / 2) return;
  throw new MassDeleteError(
    `source "${source}": this sync would delete ${n.toLocaleString('en-US')} of its ${storedPages.toLocaleString('en-US')} pages, ` +
      'which looks like a wrong branch, an emptied checkout, a mis-set --subdir or a .brainsyncignore rule that is too broad. ' +
      'Nothing was changed. ' +
      'If the deletion is intended, run again with --allow-mass-delete.',
  );
}
