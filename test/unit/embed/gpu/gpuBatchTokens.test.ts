import { describe, expect, it } from 'vitest';
import {
  bytesPerToken,
  CUDA_CONTEXT_BYTES,
  DEFAULT_HIDDEN_SIZE,
  gpuBatchTokens,
  MAX_GPU_BATCH_TOKENS,
  MODEL_FOOTPRINT_FACTOR,
  SAFETY_SHARE,
} from '../../../../src/embed/gpu/gpuBatchTokens.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const miniLm = { modelBytes: 90 * MiB, maxSequenceTokens: 256, hiddenSize: 384 };
const bertBase = { modelBytes: 420 * MiB, maxSequenceTokens: 512, hiddenSize: 768 };

describe('bytesPerToken', () => {
  it('follows the documented formula: 4 B × (24 × hidden + 2 × heads × sequence)', () => {
    expect(bytesPerToken(768, 512)).toBe(4 * (24 * 768 + 2 * 12 * 512)); // 122,880
    expect(bytesPerToken(384, 256)).toBe(4 * (24 * 384 + 2 * 6 * 256)); // 49,152
    expect(bytesPerToken(100, 128)).toBe(4 * (24 * 100 + 2 * 2 * 128)); // heads round up
  });
});

describe('gpuBatchTokens', () => {
  it('sizes from free memory minus context, model and margin', () => {
    const free = 8 * GiB;
    const s = gpuBatchTokens({ freeBytes: free, ...bertBase });
    const usable = Math.floor(free * (1 - SAFETY_SHARE) - CUDA_CONTEXT_BYTES - bertBase.modelBytes * MODEL_FOOTPRINT_FACTOR);
    expect(s).toEqual({ ok: true, usableBytes: usable, bytesPerToken: 122_880, tokens: Math.floor(usable / 122_880) });
    expect(s.ok && s.tokens).toBe(51_377) // (7,372.8 − 512 − 840) MiB ÷ 122,880 B;
  });

  it('grows with free memory, not with anything else', () => {
    const little = gpuBatchTokens({ freeBytes: 2 * GiB, ...miniLm });
    const more = gpuBatchTokens({ freeBytes: 4 * GiB, ...miniLm });
    expect(little.ok && more.ok).toBe(true);
    if (little.ok && more.ok) expect(more.tokens).toBeGreaterThan(1.9 * little.tokens);
  });

  it('caps a huge GPU at MAX_GPU_BATCH_TOKENS', () => {
    const s = gpuBatchTokens({ freeBytes: 140 * GiB, ...miniLm });
    expect(s.ok && s.tokens).toBe(MAX_GPU_BATCH_TOKENS);
  });

  it('a bigger model leaves fewer tokens', () => {
    const small = gpuBatchTokens({ freeBytes: 6 * GiB, ...bertBase });
    const big = gpuBatchTokens({ freeBytes: 6 * GiB, ...bertBase, modelBytes: 1300 * MiB });
    expect(small.ok && big.ok).toBe(true);
    if (small.ok && big.ok) expect(big.tokens).toBeLessThan(small.tokens);
  });

  it('assumes a BERT-large hidden size when the model has not said', () => {
    const s = gpuBatchTokens({ freeBytes: 8 * GiB, modelBytes: 100 * MiB, maxSequenceTokens: 512 });
    expect(s.bytesPerToken).toBe(bytesPerToken(DEFAULT_HIDDEN_SIZE, 512));
  });

  it('refuses the GPU, with the figures, when one full sequence does not fit', () => {
    const s = gpuBatchTokens({ freeBytes: 700 * MiB, ...bertBase });
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.reason).toBe('only 700 MiB free; the model needs about 1,569 MiB free for one 512-token sequence');
    expect(gpuBatchTokens({ freeBytes: 0, ...miniLm }).ok).toBe(false);
  });

  it('the memory it says is needed is enough', () => {
    const s = gpuBatchTokens({ freeBytes: 700 * MiB, ...bertBase });
    const need = Number(/about ([\d,]+) MiB/.exec(s.ok ? '' : s.reason)![1].replace(/,/g, '')) * MiB;
    const enough = gpuBatchTokens({ freeBytes: need, ...bertBase });
    expect(enough.ok && enough.tokens).toBeGreaterThanOrEqual(bertBase.maxSequenceTokens);
    expect(gpuBatchTokens({ freeBytes: need - 2 * MiB, ...bertBase }).ok).toBe(false);
  });
});
