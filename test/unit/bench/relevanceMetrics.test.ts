import { describe, expect, it } from 'vitest';
import { dcg, mean, ndcgAtK, recallAtK, reciprocalRank } from '../../../bench/relevance/metrics.mjs';

// Expected values are worked out by hand in the comments: log2(2) = 1, log2(3) ≈ 1.585, log2(4) = 2.

describe('dcg', () => {
  it('discounts each gain by log2 of its rank plus one', () => {
    // 3/1 + 2/1.585 + 0/2 + 1/log2(5)
    expect(dcg([3, 2, 0, 1])).toBeCloseTo(3 + 1.26186 + 0 + 0.43068, 4);
  });
});

describe('ndcgAtK', () => {
  it('is 1 for the ideal order and less when the answer comes second', () => {
    expect(ndcgAtK(['a', 'b'], { a: 2, b: 1 })).toBe(1);
    // (1 + 2/1.585) / (2 + 1/1.585) = 2.26186 / 2.63093
    expect(ndcgAtK(['b', 'a'], { a: 2, b: 1 })).toBeCloseTo(0.85972, 4);
  });

  it('uses grades as gains and counts labelled pages that were never returned in the ideal', () => {
    // DCG = 2/1 + 0 + 1/2 = 2.5; ideal of grades [2, 2, 1] = 2 + 2/1.585 + 1/2 = 3.76186
    expect(ndcgAtK(['a', 'x', 'c'], { a: 2, c: 1, d: 2 })).toBeCloseTo(0.66456, 4);
  });

  it('ignores results past k and repeats of a page', () => {
    expect(ndcgAtK(['x', 'y', 'a'], { a: 2 }, 2)).toBe(0);
    // 'a' counts once, at rank 1; the repeat does not add gain nor push 'b' down.
    expect(ndcgAtK(['a', 'a', 'b'], { a: 2, b: 1 })).toBe(1);
  });

  it('refuses a query without a relevant page', () => {
    expect(() => ndcgAtK(['a'], {})).toThrow(/at least one relevant page/);
  });
});

describe('recallAtK', () => {
  it('counts pages of grade 1 and 2 found in the first k', () => {
    expect(recallAtK(['a', 'x', 'c'], { a: 2, c: 1, d: 2 })).toBeCloseTo(2 / 3, 10);
    expect(recallAtK(['x', 'a'], { a: 2 }, 1)).toBe(0);
  });

  it('is capped at k relevant pages, so twelve labelled pages can still reach 1 at k = 10', () => {
    const relevant = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, 1]));
    expect(recallAtK(Array.from({ length: 10 }, (_, i) => `p${i}`), relevant)).toBe(1);
    expect(recallAtK(['p0', 'x', 'p1'], relevant)).toBeCloseTo(0.2, 10);
  });
});

describe('reciprocalRank', () => {
  it('is one over the rank of the first answer (grade 2), related pages do not count', () => {
    expect(reciprocalRank(['b', 'x', 'a'], { a: 2, b: 1 })).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRank(['b', 'x'], { a: 2, b: 1 })).toBe(0);
    expect(reciprocalRank(['b', 'x'], { a: 2, b: 1 }, 1)).toBe(1);
  });
});

describe('mean', () => {
  it('averages, and is NaN for nothing', () => {
    expect(mean([1, 0, 0.5])).toBe(0.5);
    expect(mean([])).toBeNaN();
  });
});
