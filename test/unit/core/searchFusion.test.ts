import { describe, expect, it } from 'vitest';
import { fusion, reciprocalRankFusion } from '../../../src/core/searchFusion.js';
import { plainSnippet } from '../../../src/core/snippet.js';

const list = (...keys: number[]) => keys.map((key) => ({ key, item: `item ${key}` }));

describe('reciprocal rank fusion', () => {
  it('scores each page by Σ weight / (k + rank) and puts a page ranked in both lists above pages ranked in one', () => {
    const fused = reciprocalRankFusion(list(1, 2, 3), list(3, 4));
    expect(fused.map((f) => f.key)).toEqual([3, 1, 2, 4]);
    const three = fused[0];
    expect(three.ranks).toEqual({ text: 3, vector: 1 });
    expect(three.score).toBeCloseTo(fusion.weights.text / (fusion.k + 3) + fusion.weights.vector / (fusion.k + 1), 12);
    expect(three).toMatchObject({ text: 'item 3', vector: 'item 3' });
    expect(fused[3]).toMatchObject({ key: 4, ranks: { text: null, vector: 2 }, text: null });
  });

  it('breaks equal scores by the better rank, then by the text list, and takes only the candidates of each list', () => {
    expect(reciprocalRankFusion(list(1, 2), list(3, 4)).map((f) => f.key)).toEqual([1, 3, 2, 4]);
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
