import { describe, expect, it } from 'vitest';
import { BatchPacer } from '../../../src/core/BatchPacer.js';

describe('BatchPacer', () => {
  it('uses the largest batch when the run has no budget', () => {
    const p = new BatchPacer(() => Infinity, { max: 100, guessMsPerItem: 10 });
    p.record(100, 60_000);
    expect(p.nextSize()).toBe(100);
  });

  it('sizes the first batch from its guess so that it takes at most half the time left', () => {
    const p = new BatchPacer(() => 1_000, { max: 100, guessMsPerItem: 10 });
    expect(p.nextSize()).toBe(50);
  });

  it('follows the measured rate: more items when writes are fast, fewer when slow', () => {
    let left = 2_000;
    const p = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10 });
    p.record(50, 50);
    expect(p.nextSize()).toBe(100);
    p.record(10, 400);
    expect(p.nextSize()).toBe(25);
    left = 100;
    expect(p.nextSize()).toBe(1);
  });

  it('reacts to a slowdown at once and to a speed-up gradually', () => {
    const p = new BatchPacer(() => 10_000, { max: 1_000, guessMsPerItem: 10 });
    p.record(100, 100); // 1 ms per item
    p.record(100, 1_000); // 10 ms: taken as is
    expect(p.nextSize()).toBe(500);
    p.record(100, 100); // back to 1 ms: halfway there
    expect(p.nextSize()).toBe(909);
  });

  it('starts no batch once the time left cannot hold one item', () => {
    let left = 30;
    const p = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10 });
    p.record(10, 100);
    expect(p.nextSize()).toBe(1);
    left = 19;
    expect(p.nextSize()).toBe(0);
    left = -5;
    expect(p.nextSize()).toBe(0);
  });
});
