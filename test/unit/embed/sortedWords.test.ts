import { describe, expect, it } from 'vitest';
import { SortedWords, sortWords } from '../../../src/embed/glove/SortedWords.js';

function indexOf(words: string[]): SortedWords {
  const { bytes, starts, sorted } = sortWords(words);
  return new SortedWords(bytes, starts, sorted);
}

describe('the word index of a GloVe cache file', () => {
  it('finds every word at its row, as a Map built from the list would, in any script', () => {
    const words = ['the', 'of', 'zürich', 'zurich', 'москва', '東京', 'a', 'ab', 'abc', 'b', '😀', '\uffff', 'z'];
    const index = indexOf(words);
    const map = new Map(words.map((w, i) => [w, i]));
    for (const w of [...words, 'abcd', 'aa', '', 'Zürich', 'МОСКВА', '😁', 'zz']) expect(index.get(w), w).toBe(map.get(w));
    expect(words.map((_, i) => index.wordAt(i))).toEqual(words);
  });

  it('gives a word listed twice its last row, as a Map does', () => {
    const words = ['x', 'dup', 'y', 'dup', 'dup', 'z'];
    expect(indexOf(words).get('dup')).toBe(4);
    expect(indexOf(words).get('z')).toBe(5);
  });

  it('keeps its answers: a word asked again is not searched again', () => {
    const index = indexOf(['alpha', 'beta']);
    expect(index.get('beta')).toBe(1);
    expect(index.get('gamma')).toBeUndefined();
    expect(index.get('beta')).toBe(1);
    expect(index.get('gamma')).toBeUndefined();
  });

  it('holds up at the size of the real vocabulary', () => {
    const words = Array.from({ length: 100_000 }, (_, i) => `w${(i * 7919) % 100_003}x${i % 13}`);
    const index = indexOf(words);
    for (let i = 0; i < words.length; i += 997) expect(index.get(words[i])).toBe(i);
    expect(index.get('w-1')).toBeUndefined();
  });
});
