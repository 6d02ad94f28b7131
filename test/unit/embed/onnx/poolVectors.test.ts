import { describe, expect, it } from 'vitest';
import { poolBatch, unitVector } from '../../../../src/embed/onnx/poolVectors.js';

// Two rows of 3 tokens × 2 dims; row 1 has 2 real tokens and one padding token (99s).
const tokens = { type: 'float32', dims: [2, 3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99) };
const lengths = [3, 2];
const rows = (mode: Parameters<typeof poolBatch>[2], output = tokens) => {
  const pooled = poolBatch(output, lengths, mode);
  if ('error' in pooled) throw new Error(pooled.error);
  return [Array.from(pooled.rows.subarray(0, 2)), Array.from(pooled.rows.subarray(2, 4))];
};

describe('poolBatch', () => {
  it('pools only the real tokens of each row', () => {
    expect(rows('mean')).toEqual([[3, 4], [20, 30]]);
    expect(rows('max')).toEqual([[5, 6], [30, 40]]);
    expect(rows('cls')).toEqual([[1, 2], [10, 20]]);
    expect(rows('lasttoken')).toEqual([[5, 6], [30, 40]]);
  });

  it('takes a [batch, dims] output as it is', () => {
    expect(rows('model', { type: 'float32', dims: [2, 2], data: Float32Array.of(1, 2, 3, 4) })).toEqual([[1, 2], [3, 4]]);
  });

  it('says what is wrong with an output of the wrong shape or type', () => {
    expect(poolBatch({ ...tokens, dims: [2, 6] }, lengths, 'mean')).toEqual({ error: 'has shape [2, 6], expected [2, 3, dims] for mean pooling' });
    expect(poolBatch(tokens, lengths, 'model')).toEqual({ error: 'has shape [2, 3, 2], expected [2, dims] for model pooling' });
    expect(poolBatch({ ...tokens, dims: [2, 4, 2] }, lengths, 'cls')).toMatchObject({ error: expect.stringContaining('expected [2, 3, dims]') });
    expect(poolBatch({ type: 'float16', dims: [2, 3, 2], data: new Uint16Array(12) }, lengths, 'mean')).toEqual({
      error: 'is float16; the onnx provider reads float32 outputs (export the model with float32 outputs)',
    });
  });

  it('uses nothing outside itself, so that it can run as source text in the worker', () => {
    const standalone = new Function(`return (${poolBatch.toString()})`)() as typeof poolBatch;
    expect(standalone(tokens, lengths, 'mean')).toEqual(poolBatch(tokens, lengths, 'mean'));
  });
});

describe('unitVector', () => {
  it('scales to unit length', () => {
    expect(Array.from(unitVector(Float64Array.of(3, 4))!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('gives the zero vector a fixed unit direction', () => {
    expect(Array.from(unitVector(new Float64Array(4))!)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('refuses non-finite values', () => {
    expect(unitVector(Float64Array.of(1, NaN))).toBeNull();
    expect(unitVector(Float64Array.of(Infinity, 0))).toBeNull();
  });
});
