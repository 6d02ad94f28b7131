import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../../src/embed/http/retryAfterMs.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2030-06-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date against the clock, a past date being no wait', () => {
    expect(retryAfterMs('Sat, 01 Jun 2030 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 01 Jun 2030 11:00:00 GMT', now)).toBe(0);
  });

  it('gives null for a missing or unreadable header, so the caller uses its own backoff', () => {
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-1', now)).toBeNull();
  });
});
