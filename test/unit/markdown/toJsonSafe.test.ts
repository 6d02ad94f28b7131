import { describe, expect, it } from 'vitest';
import { NestingTooDeepError, toJsonSafe } from '../../../src/markdown/toJsonSafe.js';

describe('toJsonSafe', () => {
  it('turns dates, big integers, maps and sets into JSON data and drops undefined', () => {
    const value = { d: new Date('2024-06-01T00:00:00Z'), n: 10n, m: new Map([['k', new Set([1])]]), u: undefined };
    expect(toJsonSafe(value)).toEqual({ d: '2024-06-01', n: '10', m: { k: [1] } });
  });

  it('replaces a value that contains itself with null', () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(toJsonSafe({ a })).toEqual({ a: [1, null] });
  });

  it('refuses containers nested deeper than the limit instead of recursing into them', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => toJsonSafe(deep, 100)).toThrow(NestingTooDeepError);
    let ok: unknown = 'x';
    for (let i = 0; i < 100; i++) ok = [ok];
    expect(() => toJsonSafe(ok, 100)).not.toThrow();
  });
});
