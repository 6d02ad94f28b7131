import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import { defaultLockTtlSeconds, lockSettingsForTtl } from '../../locks/lockSettings.js';
import { contextFrom } from '../context.js';
import type { Outcome } from '../main.js';
import { parseDuration, parsePositiveInt, parseSize } from '../parseArgs.js';
import type { SyncFlags } from './syncRun.js';

export function registerSync(program: Command, outcome: Outcome): void {
  program
    .command('sync')
    .description('bring sources up to date with their repositories')
    .addOption(new Option('--source <name...>', 'sync these sources (repeatable)'))
    .option('--all', 'sync every source, each in its own run')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--full', 'compare the whole tree with the brain instead of diffing from the bookmark')
    .option('--no-pull', 'do not pull or fetch; sync what the repository already has')
    .option('--no-embed', 'skip the embed phase (chunks wait for the next run or `brainsync embed`)')
    .option('--embed-batch-tokens <n>', 'onnx models: tokens per model call, instead of sizing from the GPU\'s free memory')
    .option('--workers <n>', 'parallel import workers per source (Postgres only; default: CPU count, at most 4)')
    .option('--max-sources <n>', 'sources synced at once with --all (Postgres only; default 4)')
    .option('--retry-failed', 'retry files recorded as failed even if they did not change')
    .option('--allow-mass-delete', 'allow a sync that deletes more than half of a source\'s pages')
    .option('--timeout <dur>', 'time budget per source, e.g. 540, 9m (stops early, keeps its work, exit 75)')
    .option('--max-file-size <size>', 'files larger than this are skipped and recorded (default 4MB)')
    .option('--lock-ttl <dur>', 'a lock whose holder stopped heart-beating this long ago is free (default 60s)')
    .option('--break-lock', 'first break locks whose holder is provably gone (dead pid here, or no heartbeat for --max-age)')
    .option('--max-age <dur>', 'with --break-lock: heartbeat age after which a lock counts as abandoned (default: the TTL)')
    .option('--force-break-lock', 'first break the locks whatever their state, and say what was broken')
    .option('--on-result <cmd>', 'after each run that changed pages, run this shell command with the run\'s JSON on stdin (env: BRAINSYNC_ON_RESULT)')
    .option('--on-result-timeout <dur>', 'stop the --on-result command after this long (default 60s)')
    .action(async (raw: RawSyncFlags, cmd: Command) => {
      const flags = validateSyncFlags(raw);
      const ctx = contextFrom(cmd);
      const { runSync } = await import('./syncRun.js');
      outcome.code = await runSync(ctx, flags);
    });
}

interface RawSyncFlags {
  source?: string[];
  all?: boolean;
  dryRun?: boolean;
  full?: boolean;
  pull: boolean;
  /** commander sets it false for --no-embed. */
  embed?: boolean;
  embedBatchTokens?: string;
  workers?: string;
  maxSources?: string;
  retryFailed?: boolean;
  allowMassDelete?: boolean;
  timeout?: string;
  maxFileSize?: string;
  lockTtl?: string;
  breakLock?: boolean;
  maxAge?: string;
  forceBreakLock?: boolean;
  onResult?: string;
  onResultTimeout?: string;
}

/** Every flag is checked before anything opens the brain; each refusal names the flag. */
export function validateSyncFlags(raw: RawSyncFlags): SyncFlags {
  const sources = raw.source ?? [];
  if (sources.length === 0 && !raw.all) {
    throw new UsageError('say which sources to sync: --source NAME (repeatable) or --all.');
  }
  if (sources.length > 0 && raw.all) throw new UsageError('use either --source or --all, not both.');
  if (raw.maxAge !== undefined && raw.forceBreakLock) {
    throw new UsageError('--max-age cannot be combined with --force-break-lock, which breaks locks whatever their age.');
  }
  if (raw.maxAge !== undefined && !raw.breakLock) throw new UsageError('--max-age only makes sense with --break-lock.');
  if (raw.breakLock && raw.forceBreakLock) throw new UsageError('use either --break-lock or --force-break-lock, not both.');
  const { lockTtlSeconds, maxAgeSeconds } = lockTimes(raw);
  return {
    sources,
    all: Boolean(raw.all),
    dryRun: Boolean(raw.dryRun),
    full: Boolean(raw.full),
    pull: raw.pull,
    embed: raw.embed !== false,
    embedBatchTokens: raw.embedBatchTokens !== undefined ? parsePositiveInt('--embed-batch-tokens', raw.embedBatchTokens, 1 << 24) : undefined,
    retryFailed: Boolean(raw.retryFailed),
    allowMassDelete: Boolean(raw.allowMassDelete),
    workers: raw.workers !== undefined ? parsePositiveInt('--workers', raw.workers, 64) : Math.min(4, availableParallelism()),
    maxSources: raw.maxSources !== undefined ? parsePositiveInt('--max-sources', raw.maxSources, 64) : 4,
    timeoutSeconds: raw.timeout !== undefined ? parseDuration('--timeout', raw.timeout) : undefined,
    maxFileBytes: raw.maxFileSize !== undefined ? parseSize('--max-file-size', raw.maxFileSize) : 4 * 1024 * 1024,
    lockTtlSeconds,
    breakLock: raw.breakLock ? 'provably_gone' : raw.forceBreakLock ? 'force' : null,
    maxAgeSeconds,
    onResult: onResultOf(raw),
  };
}

/** The post-run hook: --on-result, else BRAINSYNC_ON_RESULT; an empty command means none. */
function onResultOf(raw: RawSyncFlags): SyncFlags['onResult'] {
  const command = (raw.onResult ?? process.env.BRAINSYNC_ON_RESULT ?? '').trim();
  if (raw.onResultTimeout !== undefined && !command) {
    throw new UsageError('--on-result-timeout only makes sense with --on-result (or BRAINSYNC_ON_RESULT).');
  }
  if (!command) return undefined;
  const seconds = raw.onResultTimeout !== undefined ? parseDuration('--on-result-timeout', raw.onResultTimeout) : 60;
  return { command, timeoutMs: seconds * 1000 };
}

/**
 * --lock-ttl and --max-age, each at least two heartbeats: a lock that could expire, or be
 * judged abandoned, between two beats of a healthy holder would let a second run in. A
 * refusal names the flag that was given (--max-age defaults to the TTL).
 */
function lockTimes(raw: RawSyncFlags): { lockTtlSeconds: number; maxAgeSeconds: number } {
  const lockTtlSeconds = raw.lockTtl !== undefined ? parseDuration('--lock-ttl', raw.lockTtl) : defaultLockTtlSeconds;
  const minimum = 2 * lockSettingsForTtl(lockTtlSeconds).heartbeatSeconds;
  if (lockTtlSeconds < minimum) {
    throw new UsageError(
      `--lock-ttl "${raw.lockTtl}" is shorter than two heartbeats (${minimum}s): a healthy run would lose its lock between two beats. Use at least ${minimum}s.`,
    );
  }
  if (raw.maxAge === undefined) return { lockTtlSeconds, maxAgeSeconds: lockTtlSeconds };
  const maxAgeSeconds = parseDuration('--max-age', raw.maxAge);
  if (maxAgeSeconds < minimum) {
    throw new UsageError(
      `--max-age "${raw.maxAge}" is shorter than two heartbeats (${minimum}s): it could break a healthy run between two beats. Use at least ${minimum}s.`,
    );
  }
  return { lockTtlSeconds, maxAgeSeconds };
}
