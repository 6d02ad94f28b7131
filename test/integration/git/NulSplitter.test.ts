import { describe, expect, it } from 'vitest';
import { NulSplitter } from '../../../src/git/NulSplitter.js';

describe('NulSplitter', () => {
  it('yields the same records however the stream is cut into chunks', () => {
    const records = ['alpha', '', 'b\tc', 'ünï\ncødé 日本語 🚀', 'x'.repeat(300)];
    const data = Buffer.from(records.map((r) => `${r}\0`).join(''));
    for (const size of [1, 2, 3, 7, 64, data.length]) {
      const got: string[] = [];
      const s = new NulSplitter((r) => got.push(r));
      for (let i = 0; i < data.length; i += size) s.push(data.subarray(i, i + size));
      expect(got).toEqual(records);
      expect(s.hasPartial).toBe(false);
    }
  });

  it('reports a stream that ends inside a record', () => {
    const s = new NulSplitter(() => {});
    s.push(Buffer.from('done\0half'));
    expect(s.hasPartial).toBe(true);
  });
});
