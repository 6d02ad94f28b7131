import type { Command } from 'commander';
import type { Db } from '../db/Db.js';
import type { DbTarget } from '../db/target.js';
import { redactCredentials } from '../redact.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dbTargetFromEnv, homeFromEnv } from './config.js';
import { createLogger, type Logger } from './output.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
}

export interface BrainOpenOptions {
  create?: boolean;
  maxConnections?: number;
  vector?: boolean;
  /** sync --force-break-lock: also take over a silent holder's PGLite directory lock. */
  forceDirLock?: boolean;
  /**
   * Readers (--wait): seconds to wait for a PGLite brain that another process (a sync) holds,
   * saying so once on stderr, before exiting 75. Writers leave it unset and fail fast.
   */
  waitSeconds?: number;
  /** Readers: the command changes nothing the status manifest shows, so it leaves the manifest current (see OpenDbOptions). */
  readOnly?: boolean;
  /** The command may write for minutes (a first sync, a large backlog): PGLite runs optimised (wasmTier.ts). */
  longWork?: boolean;
}

/** What readers wait for a busy PGLite brain when --wait is not given. */
export const defaultReaderWaitSeconds = 30;

export interface CliContext {
  target: DbTarget;
  json: boolean;
  debug: boolean;
  log: Logger;
  /** The command line, shown to another process that finds the brain busy. */
  commandLine: string;
  openBrain(opts?: BrainOpenOptions): Promise<Db>;
}

export function contextFrom(cmd: Command): CliContext {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const target = dbTargetFromEnv(g.db);
  // Shown in lock rows and to other processes: never with a password from a --db URL.
  const commandLine = ['brainsync', ...process.argv.slice(2).map(redactCredentials)].join(' ');
  const log = createLogger({ quiet: Boolean(g.quiet), debug: Boolean(g.debug) });
  return {
    target,
    json: Boolean(g.json),
    debug: Boolean(g.debug),
    log,
    commandLine,
    async openBrain(opts = {}) {
      const [{ openBrain }, { chooseWasmTier }] = await Promise.all([import('../db/openBrain.js'), import('./wasmTier.js')]);
      const tier = chooseWasmTier(target, opts.longWork ?? false);
      if (tier) log.debug(`PGLite runs on V8's ${tier} wasm tier (${opts.longWork ? 'long work' : 'a short command'})`);
      // A taken-over lock means a brainsync died holding the brain: worth a line in the cron log.
      return openBrain(target, {
        ...opts,
        command: commandLine,
        onDirLockTakeOver: (m) => log.warn(m),
        waitMs: (opts.waitSeconds ?? 0) * 1000,
        onWait: (m) => log.info(m),
      });
    },
  };
}

/** Opens the brain, runs fn, and always closes it (which also frees a PGLite directory lock). */
export async function withBrain<T>(
  ctx: CliContext,
  fn: (db: Db) => Promise<T>,
  opts?: BrainOpenOptions,
): Promise<T> {
  const db = await ctx.openBrain(opts);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * Rewrites the brain's status manifest after a command changed what it shows (sources added,
 * removed or re-modelled, a backlog embedded). A failure is a warning; the command stands.
 */
export async function refreshManifest(ctx: CliContext, db: Db): Promise<void> {
  const [{ ManifestWriter }, { manifestPath }, { version }] = await Promise.all([
    import('../status/ManifestWriter.js'), import('../status/manifestPath.js'), import('./version.js'),
  ]);
  await new ManifestWriter(db, {
    path: manifestPath(ctx.target, homeFromEnv()), version, target: { kind: ctx.target.kind, display: ctx.target.display },
    reposDir: mirrorsDir(ctx), onWarning: (m) => ctx.log.warn(m),
  }).write();
}

/** Mirrors of clone-URL sources live under BRAINSYNC_HOME, one folder per brain. */
export function mirrorsDir(ctx: CliContext): string {
  const key = createHash('sha256').update(ctx.target.display).digest('hex').slice(0, 12);
  return join(homeFromEnv(), 'mirrors', key);
}

/** Model caches (the GloVe conversion) are shared by every brain: they depend only on the model. */
export function modelsDir(): string {
  return join(homeFromEnv(), 'models');
}
