import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/embed/glove/tokenize.js';

describe('tokenize', () => {
  it('lower-cases and splits on everything that is not a letter, digit or mark', () => {
    expect(tokenize('Hello, World! It\'s well-known: 42 items_left')).toEqual(['hello', 'world', 'it', 's', 'well', 'known', '42', 'items', 'left']);
  });

  it('keeps Unicode letters, accents and combining marks inside words', () => {
    expect(tokenize('Café in Zürich, déjà vu — naïve')).toEqual(['café', 'in', 'zürich', 'déjà', 'vu', 'naïve']);
    expect(tokenize('cafe\u0301 ok')).toEqual(['cafe\u0301', 'ok']);
    expect(tokenize('Москва и Київ')).toEqual(['москва', 'и', 'київ']);
  });

  it('treats astral letters as letters and emoji as separators', () => {
    // U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter outside the BMP (and has no lower case).
    expect(tokenize('a\u{1D400}b 🙂c')).toEqual(['a\u{1D400}b', 'c']);
  });

  it('skips lone surrogates instead of failing', () => {
    expect(tokenize('ab\uD800cd \uDC00ef')).toEqual(['ab', 'cd', 'ef']);
  });

  it('stops after maxWords words', () => {
    expect(tokenize('one two three four', 2)).toEqual(['one', 'two']);
    expect(tokenize('one two', 2)).toEqual(['one', 'two']);
  });

  it('returns nothing for empty or punctuation-only text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \n\t.,;!? — ✓ → ')).toEqual([]);
  });
});
