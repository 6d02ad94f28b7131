import { describe, expect, it } from 'vitest';
import { binaryTextArray } from '../../../src/db/binaryTextArray.js';

describe('binaryTextArray', () => {
  it('writes the array header, UTF-8 byte lengths and -1 for a null', () => {
    const bytes = Buffer.from(binaryTextArray(['é', null, ''])!);
    expect(bytes.readInt32BE(0)).toBe(1); // one dimension
    expect(bytes.readInt32BE(4)).toBe(1); // has a null
    expect(bytes.readInt32BE(8)).toBe(25); // of text
    expect(bytes.readInt32BE(12)).toBe(3); // three elements
    expect(bytes.readInt32BE(16)).toBe(1); // from index 1
    expect(bytes.readInt32BE(20)).toBe(2); // 'é' is two bytes
    expect(bytes.subarray(24, 26).toString('utf8')).toBe('é');
    expect(bytes.readInt32BE(26)).toBe(-1); // null
    expect(bytes.readInt32BE(30)).toBe(0); // ''
    expect(bytes.length).toBe(34);
  });

  it('sizes astral characters and lone surrogates as the bytes it writes', () => {
    const bytes = Buffer.from(binaryTextArray(['😀', '\ud800x'])!);
    expect(bytes.readInt32BE(4)).toBe(0); // no null
    expect(bytes.readInt32BE(20)).toBe(4);
    expect(bytes.readInt32BE(28)).toBe(4); // U+FFFD (3 bytes) and 'x'
    expect(bytes.subarray(32).toString('utf8')).toBe('\ufffdx');
    expect(bytes.length).toBe(36);
  });

  it('leaves anything but a flat array of strings to the usual serializer', () => {
    expect(binaryTextArray([['nested']])).toBeNull();
    expect(binaryTextArray(['a', 1])).toBeNull();
    expect(binaryTextArray('{a}')).toBeNull();
    expect(Buffer.from(binaryTextArray([])!).readInt32BE(12)).toBe(0);
  });
});
