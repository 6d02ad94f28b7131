import { describe, expect, it } from 'vitest';
import { planBatches } from '../../../../src/embed/onnx/planBatches.js';

describe('planBatches', () => {
  it('keeps every batch within the budget, padding included', () => {
    const lengths = [5, 30, 12, 30, 7, 2, 19, 30, 4];
    const batches = planBatches(lengths, 64);
    for (const b of batches) expect(b.length * Math.max(...b.map((i) => lengths[i]))).toBeLessThanOrEqual(64);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
  });

  it('groups texts of similar length, longest first', () => {
    expect(planBatches([2, 30, 3, 31], 64)).toEqual([[3, 1], [2, 0]]);
  });

  it('puts everything in one batch when the budget allows', () => {
    expect(planBatches([3, 3, 3], 1000)).toEqual([[0, 1, 2]]);
  });

  it('gives a text longer than the budget a batch of its own', () => {
    expect(planBatches([100, 4, 100], 50)).toEqual([[0], [2], [1]]);
  });

  it('plans nothing for no text', () => {
    expect(planBatches([], 100)).toEqual([]);
  });
});
