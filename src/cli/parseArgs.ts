import { UsageError } from '../errors.js';

const durationPattern = /^([1-9]\d*)([smh]?)$/;
const unitSeconds: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** DUR = a positive whole number with an optional s, m or h suffix (seconds when bare). */
export function parseDuration(flag: string, value: string): number {
  const m = durationPattern.exec(value.trim());
  if (!m) {
    throw new UsageError(
      `${flag} "${value}" is not a duration: use a positive whole number with an optional s, m or h suffix (for example 540, 90s, 15m, 2h).`,
    );
  }
  const seconds = Number(m[1]) * unitSeconds[m[2]];
  if (seconds > maxDurationSeconds) {
    throw new UsageError(`${flag} "${value}" is longer than 576h (24 days), the longest brainsync can time; use a shorter duration.`);
  }
  return seconds;
}

/**
 * The longest duration a flag takes: node's timers hold at most 2^31-1 ms (~24.8 days) and
 * fire at once past that, so a `--timeout 1200h` budget ended before the run began.
 */
const maxDurationSeconds = 576 * 3600;

/** --wait DUR: a duration, or 0 for not waiting at all. */
export function parseWait(value: string): number {
  return value.trim() === '0' ? 0 : parseDuration('--wait', value);
}

export function parsePositiveInt(flag: string, value: string, max = 1_000_000): number {
  if (!/^[1-9]\d*$/.test(value.trim()) || Number(value) > max) {
    throw new UsageError(`${flag} "${value}" must be a whole number from 1 to ${max}.`);
  }
  return Number(value);
}

const sizePattern = /^([1-9]\d*)(k|kb|m|mb)?$/i;

export function parseSize(flag: string, value: string): number {
  const m = sizePattern.exec(value.trim());
  if (!m) throw new UsageError(`${flag} "${value}" is not a size: use bytes or a KB/MB suffix (for example 4MB, 512KB).`);
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1);
}
