import { describe, expect, it } from 'vitest';
import { poolTokens, unitVector } from '../../../../src/embed/onnx/poolVectors.js';

// Two rows of 3 tokens × 2 dims; row 1 has 2 real tokens and one padding token (99s).
const out = { data: Float32Array.of(1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99), sequence: 3, dims: 2 };

describe('poolTokens', () => {
  it('pools only the real tokens of a row', () => {
    expect(Array.from(poolTokens(out, 0, 3, 'mean'))).toEqual([3, 4]);
    expect(Array.from(poolTokens(out, 1, 2, 'mean'))).toEqual([20, 30]);
    expect(Array.from(poolTokens(out, 1, 2, 'max'))).toEqual([30, 40]);
    expect(Array.from(poolTokens(out, 1, 2, 'cls'))).toEqual([10, 20]);
    expect(Array.from(poolTokens(out, 1, 2, 'lasttoken'))).toEqual([30, 40]);
  });
});

describe('unitVector', () => {
  it('scales to unit length', () => {
    expect(Array.from(unitVector(Float64Array.of(3, 4))!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('gives the zero vector a fixed unit direction', () => {
    const v = unitVector(new Float64Array(4))!;
    expect(Array.from(v)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('refuses non-finite values', () => {
    expect(unitVector(Float64Array.of(1, NaN))).toBeNull();
    expect(unitVector(Float64Array.of(Infinity, 0))).toBeNull();
  });
});
