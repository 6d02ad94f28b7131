import { describe, expect, it } from 'vitest';
import { decodeGitPath } from '../../../src/git/decodeGitPath.js';
import { displayPath, isNotUtf8 } from '../../../src/git/displayPath.js';
import { NulSplitter } from '../../../src/git/NulSplitter.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('decodeGitPath', () => {
  it('decodes UTF-8, a genuine U+FFFD included, unchanged', () => {
    for (const name of ['café.md', 'a/日本語 🚀.md', 'odd\ufffd.md']) {
      expect(decodeGitPath(Buffer.from(name))).toBe(name);
      expect(isNotUtf8(decodeGitPath(Buffer.from(name)))).toBe(false);
    }
  });

  it('keeps each byte that is not UTF-8 as its own escape, so different names stay different', () => {
    const e9 = decodeGitPath(latin1('caf\xe9-name.md'));
    const e8 = decodeGitPath(latin1('caf\xe8-name.md'));
    expect(e9).toBe('caf\udce9-name.md');
    expect(e8).not.toBe(e9);
    expect(isNotUtf8(e9)).toBe(true);
    // A truncated sequence, an overlong form and an encoded surrogate, byte for byte.
    expect(decodeGitPath(Buffer.from([0x61, 0xe2, 0x82]))).toBe('a\udce2\udc82');
    expect(decodeGitPath(Buffer.from([0xc0, 0xaf, 0x62]))).toBe('\udcc0\udcafb');
    expect(decodeGitPath(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\udced\udca0\udc80');
    expect(decodeGitPath(Buffer.from([0xe9, 0xc3, 0xa9]))).toBe('\udce9é');
  });
});

describe('displayPath', () => {
  it('shows escaped bytes as \\xHH and leaves UTF-8 paths alone', () => {
    expect(displayPath('caf\udce9-name.md')).toBe('caf\\xe9-name.md');
    expect(displayPath('a\udce2\udc82/b.md')).toBe('a\\xe2\\x82/b.md');
    expect(displayPath('x\ud800.md')).toBe('x\\ud800.md');
    const plain = 'a/🚀 café.md';
    expect(displayPath(plain)).toBe(plain);
  });
});

describe('NulSplitter with names that are not UTF-8', () => {
  it('yields exact escapes however the stream is cut, next to ordinary records', () => {
    const data = Buffer.concat([latin1('caf\xe9-name.md\0'), Buffer.from('ünï 🚀\0'), latin1('caf\xe8-name.md\0'), Buffer.from('x\0')]);
    for (const size of [1, 2, 3, 5, data.length]) {
      const got: string[] = [];
      const s = new NulSplitter((r) => got.push(r));
      for (let i = 0; i < data.length; i += size) s.push(data.subarray(i, i + size));
      expect(got).toEqual(['caf\udce9-name.md', 'ünï 🚀', 'caf\udce8-name.md', 'x']);
      expect(s.hasPartial).toBe(false);
    }
  });
});
