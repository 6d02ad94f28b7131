import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize, parseWait } from '../../../src/cli/parseArgs.js';
import { validateSyncFlags } from '../../../src/cli/commands/sync.js';
import { UsageError } from '../../../src/errors.js';

describe('parseDuration', () => {
  it.each([['540', 540], ['90s', 90], ['15m', 900], ['2h', 7200]])('reads %s as %i seconds', (v, s) => {
    expect(parseDuration('--timeout', v)).toBe(s);
  });
  it.each(['0', '-5', '1.5', '10d', 'abc', '', '5 m', '05'])('refuses %j, naming the flag and quoting the value', (v) => {
    expect(() => parseDuration('--timeout', v)).toThrow(UsageError);
    expect(() => parseDuration('--timeout', v)).toThrow(`--timeout "${v}" is not a duration`);
  });
  it('takes up to 576h (24 days): node cannot time longer', () => {
    expect(parseDuration('--timeout', '576h')).toBe(576 * 3600);
    for (const v of ['577h', '1200h', `${576 * 3600 + 1}`, '99999999999999999999']) {
      expect(() => parseDuration('--timeout', v)).toThrow(`--timeout "${v}" is longer than 576h (24 days)`);
    }
  });
});

describe('parseWait', () => {
  it('reads 0 as no waiting and anything else as a duration', () => {
    expect(parseWait('0')).toBe(0);
    expect(parseWait('2m')).toBe(120);
    expect(() => parseWait('-1')).toThrow('--wait "-1" is not a duration');
  });
});

describe('parseSize', () => {
  it('reads bytes, KB and MB', () => {
    expect(parseSize('--max-file-size', '512')).toBe(512);
    expect(parseSize('--max-file-size', '4MB')).toBe(4 * 1024 * 1024);
    expect(parseSize('--max-file-size', '64kb')).toBe(64 * 1024);
    expect(() => parseSize('--max-file-size', '1GB')).toThrow(/not a size/);
  });
});

describe('validateSyncFlags', () => {
  const base = { pull: true };
  it('needs --source or --all, and not both', () => {
    expect(() => validateSyncFlags({ ...base })).toThrow(/--source NAME .* or --all/);
    expect(() => validateSyncFlags({ ...base, all: true, source: ['a'] })).toThrow(/not both/);
  });
  it('ties --max-age to --break-lock and keeps it away from --force-break-lock', () => {
    expect(() => validateSyncFlags({ ...base, all: true, maxAge: '5m' })).toThrow(/--max-age only makes sense with --break-lock/);
    expect(() => validateSyncFlags({ ...base, all: true, maxAge: '5m', forceBreakLock: true })).toThrow(/cannot be combined with --force-break-lock/);
  });
  it('refuses a --max-age shorter than two heartbeats', () => {
    expect(() => validateSyncFlags({ ...base, all: true, breakLock: true, maxAge: '15s' })).toThrow(/shorter than two heartbeats \(20s\)/);
    expect(validateSyncFlags({ ...base, all: true, breakLock: true, maxAge: '20s' }).maxAgeSeconds).toBe(20);
  });
  it('refuses a --lock-ttl shorter than two heartbeats, naming --lock-ttl (not the --max-age that was never given)', () => {
    for (const lockTtl of ['1s', '1']) {
      expect(() => validateSyncFlags({ ...base, all: true, lockTtl })).toThrow(UsageError);
      expect(() => validateSyncFlags({ ...base, all: true, lockTtl })).toThrow(
        `--lock-ttl "${lockTtl}" is shorter than two heartbeats (2s): a healthy run would lose its lock between two beats. Use at least 2s.`,
      );
      expect(() => validateSyncFlags({ ...base, all: true, lockTtl, breakLock: true })).not.toThrow(/undefined|--max-age/);
    }
    expect(validateSyncFlags({ ...base, all: true, lockTtl: '2s' }).lockTtlSeconds).toBe(2);
  });
  it('defaults --max-age to the lock TTL', () => {
    expect(validateSyncFlags({ ...base, all: true, breakLock: true, lockTtl: '2m' }).maxAgeSeconds).toBe(120);
  });
});
