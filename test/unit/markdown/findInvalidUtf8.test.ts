import { describe, expect, it } from 'vitest';
import { findInvalidUtf8 } from '../../../src/markdown/findInvalidUtf8.js';

const at = (...bytes: number[]) => findInvalidUtf8(Uint8Array.from(bytes));

describe('findInvalidUtf8', () => {
  it('returns -1 for valid UTF-8 of every sequence length', () => {
    expect(findInvalidUtf8(Buffer.from('a é € 😀'))).toBe(-1);
  });

  it('points at a stray continuation byte or an invalid lead byte', () => {
    expect(at(0x61, 0x80)).toBe(1);
    expect(at(0x61, 0x62, 0xff)).toBe(2);
  });

  it('points at the start of a truncated sequence', () => {
    expect(at(0x61, 0xe2, 0x82)).toBe(1);
    expect(at(0xe2, 0x82, 0x61)).toBe(0);
  });

  it('rejects overlong forms, surrogates and code points above U+10FFFF', () => {
    expect(at(0xe0, 0x80, 0xaf)).toBe(0);
    expect(at(0xed, 0xa0, 0x80)).toBe(0);
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0);
  });
});
