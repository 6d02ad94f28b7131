import { constants } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { directoryError } from '../directoryError.js';
import { DbError, NotFoundError, UsageError, errorMessage } from '../errors.js';
import { BrainBusyError, acquireDirLock, describeHolder, type DirLock } from '../locks/dirLock.js';
import { markBrainChanging } from '../status/changeMarker.js';
import type { Db } from './Db.js';
import { PermissionDeniedError } from './permissionErrors.js';
import { brainParentName, moveBrainAdvice, type DbTarget } from './target.js';

type PgliteTarget = Extract<DbTarget, { kind: 'pglite' }>;

export interface OpenDbOptions {
  /** Create an empty brain when none exists (init); otherwise a missing brain is an error. */
  create?: boolean;
  /** Postgres connection budget for this process. */
  maxConnections?: number;
  /** Shown to a second process that finds the PGLite brain busy. */
  command?: string;
  /** Load pgvector into an embedded brain (init does; commands that never touch vectors leave it out). */
  vector?: boolean;
  /** --force-break-lock: take over a PGLite directory lock whose holder missed two heartbeats, whatever its pid says. */
  forceDirLock?: boolean;
  /** Told, in words, when a dead or silent holder's PGLite directory lock was taken over. */
  onDirLockTakeOver?: (message: string) => void;
  /**
   * Readers: how long to wait for a PGLite brain another process holds (a sync), polling its
   * lock file, before giving up with exit 75. Writers leave it at 0: cron's next wave retries.
   */
  waitMs?: number;
  /** Told once, in words, that the brain is busy and this process waits for it. */
  onWait?: (message: string) => void;
  /**
   * The caller changes nothing the status manifest shows (sources, bookmarks, runs, locks,
   * backlog): readers. Anything else marks a PGLite brain's manifest out of date before the
   * brain opens (changeMarker.ts), until the caller rewrites it.
   */
  readOnly?: boolean;
}

/** Opens the brain. Drivers are imported lazily so a command only loads the one it needs. */
export async function openDb(target: DbTarget, opts: OpenDbOptions = {}): Promise<Db> {
  if (target.kind === 'postgres') return openPostgres(target, opts);
  return openPglite(target, opts);
}

async function openPostgres(target: Extract<DbTarget, { kind: 'postgres' }>, opts: OpenDbOptions): Promise<Db> {
  const { openPostgresDb } = await import('./postgresDb.js');
  try {
    return await openPostgresDb(target.url, target.display, { maxConnections: opts.maxConnections });
  } catch (err) {
    if (err instanceof PermissionDeniedError) throw err;
    throw new DbError(
      `could not connect to Postgres at ${target.display}: ${errorMessage(err)}. ` +
        'Check that the server is running and that --db / BRAINSYNC_DATABASE_URL is right.',
      { cause: err },
    );
  }
}

async function openPglite(target: PgliteTarget, opts: OpenDbOptions): Promise<Db> {
  const entries = await brainDirEntries(target);
  const exists = entries.includes('PG_VERSION');
  if (!exists && !opts.create) {
    throw new NotFoundError(`no brain at ${target.dir}. Create one with \`brainsync init\`, or pass --db DIR|URL.`);
  }
  if (!exists) refuseForeignDir(target, entries);
  // PGLite writes to its directory on every open, reads included: say so before it fails obscurely.
  if (exists) await access(target.dir, constants.W_OK).catch((err: unknown) => throwUnwritableBrain(err, target));
  const lock = await lockBrainDir(target, opts);
  try {
    if (!opts.readOnly) await markBrainChanging(target.dir, opts.command ?? 'brainsync');
  } catch (err) {
    await lock.release();
    throw err;
  }
  try {
    const { openPgliteDb } = await import('./pgliteDb.js');
    const db = await openPgliteDb(target.dir, opts.vector ?? false);
    const close = db.close.bind(db);
    db.close = async () => {
      try {
        await close();
      } finally {
        await lock.release();
      }
    };
    return db;
  } catch (err) {
    await lock.release();
    throw new DbError(
      `could not open the PGLite brain at ${target.dir}: ${errorMessage(err)}. ` +
        'Check that the directory is a brainsync brain and that the user running brainsync can read and write everything in it.',
      { cause: err },
    );
  }
}

/** Creates the brain's parent directory and takes the directory lock (a file next to the brain). */
async function lockBrainDir(target: PgliteTarget, opts: OpenDbOptions): Promise<DirLock> {
  const parent = dirname(target.dir);
  try {
    await mkdir(parent, { recursive: true });
    return await waitForDirLock(target, opts);
  } catch (err) {
    throw (await directoryError(err, parent, brainParentName(target.from), moveBrainAdvice(target.from))) ?? err;
  }
}

const waitPollMs = 200;

/** Takes the directory lock, polling for up to opts.waitMs while a live process holds it. */
async function waitForDirLock(target: PgliteTarget, opts: OpenDbOptions): Promise<DirLock> {
  const waitMs = opts.waitMs ?? 0;
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return await acquireDirLock(target.dir, opts.command ?? 'brainsync', { force: opts.forceDirLock, onTakeOver: opts.onDirLockTakeOver });
    } catch (err) {
      if (!(err instanceof BrainBusyError) || waitMs <= 0) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new BrainBusyError(
          `gave up after waiting ${formatSeconds(waitMs)} for the brain (--wait): ${err.message} ` +
            'Concurrent readers and writers need a Postgres brain.',
          err.holder,
        );
      }
      if (!told) {
        told = true;
        opts.onWait?.(`waiting for the brain: held by ${describeHolder(err.holder)}; waiting up to ${formatSeconds(waitMs)} (--wait)`);
      }
      await new Promise((r) => setTimeout(r, Math.min(waitPollMs, left)));
    }
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

async function throwUnwritableBrain(err: unknown, target: PgliteTarget): Promise<never> {
  const advice = 'run brainsync as the user that owns it (brainsync writes to a PGLite brain on every command, reads included)';
  throw (await directoryError(err, target.dir, 'the PGLite brain', advice)) ?? err;
}

/** What a PGLite brain's directory holds ([] when it does not exist yet). */
async function brainDirEntries(target: PgliteTarget): Promise<string[]> {
  try {
    return await readdir(target.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw (await directoryError(err, target.dir, 'the brain directory', moveBrainAdvice(target.from))) ?? err;
  }
}

/**
 * What Postgres (and brainsync) keep in a data directory, which an `init` interrupted before
 * PG_VERSION may have left; and the `lost+found` of a volume mounted for the brain.
 */
const dataDirEntry = /^(?:PG_VERSION|base|global|pg_[a-z_]+|postgresql(?:\.auto)?\.conf|postmaster\.[a-z]+|brainsync\.[a-z]+|lost\+found)$/;

/**
 * `init` creates a brain only in a new or empty directory (or one an interrupted `init` left):
 * PGLite would write Postgres's files into any other, over files of the same names — a notes
 * repository given as `--db` by mistake would get two dozen of them in its working tree.
 */
function refuseForeignDir(target: PgliteTarget, entries: string[]): void {
  const foreign = entries.filter((e) => !dataDirEntry.test(e)).sort();
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : '');
  throw new UsageError(
    `${target.dir} is not a brainsync brain and is not empty (it holds ${shown}), so no brain was created there. ` +
      'A PGLite brain needs a directory of its own: pass --db a new or empty directory (brainsync creates it).',
  );
}
