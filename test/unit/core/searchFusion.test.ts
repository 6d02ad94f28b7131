import { describe, expect, it } from 'vitest';
import { fusion, reciprocalRankFusion } from '../../../src/core/searchFusion.js';
import { plainSnippet } from '../../../src/core/snippet.js';

const list = (...keys: number[]) => keys.map((key) => ({ key, item: `item ${key}` }));

describe('reciprocal rank fusion', () => {
  it('scores each page by Σ weight / (k + rank): the text order stands, a vector rank lifts a page past near-ties', () => {
    const fused = reciprocalRankFusion(list(1, 2, 3), list(3, 4));
    expect(fused.map((f) => f.key)).toEqual([1, 2, 3, 4]);
    const three = fused[2];
    expect(three.ranks).toEqual({ text: 3, vector: 1 });
    expect(three.score).toBeCloseTo(fusion.weights.text / (fusion.k.text + 3) + fusion.weights.vector / (fusion.k.vector + 1), 12);
    expect(three).toMatchObject({ text: 'item 3', vector: 'item 3' });
    expect(fused[3]).toMatchObject({ key: 4, ranks: { text: null, vector: 2 }, text: null });
    // Far down the text list the ranks are close together: the vector list's first page moves up.
    const deep = reciprocalRankFusion(list(...Array.from({ length: 11 }, (_, i) => i + 1)), list(11));
    const at = deep.findIndex((f) => f.key === 11);
    expect(at).toBeLessThan(10);
    expect(deep.slice(0, at).map((f) => f.key)).toEqual(Array.from({ length: at }, (_, i) => i + 1));
  });

  it('puts pages only the vector list found after those of the text list, and takes only the candidates of each list', () => {
    expect(reciprocalRankFusion(list(1, 2), list(3, 4)).map((f) => f.key)).toEqual([1, 2, 3, 4]);
    const long = Array.from({ length: fusion.candidates + 10 }, (_, i) => i + 1);
    const fused = reciprocalRankFusion(list(...long), []);
    expect(fused).toHaveLength(fusion.candidates);
  });
});

describe('plain snippets', () => {
  it('drop heading lines, collapse whitespace and cut long text at a word', () => {
    expect(plainSnippet('# Title\n\nSome  text\nhere.')).toBe('Some text here.');
    const long = plainSnippet(`${'word '.repeat(100)}end`);
    expect(long.length).toBeLessThanOrEqual(242);
    expect(long).toMatch(/word …$/);
  });
});
