import { describe, expect, it } from 'vitest';
import { BatchPacer } from '../../../src/core/BatchPacer.js';

describe('BatchPacer', () => {
  it('uses the largest batch when the run has no budget', () => {
    const p = new BatchPacer(() => Infinity, { max: 100, guessMsPerItem: 10 });
    p.record(100, 60_000);
    expect(p.nextSize()).toBe(100);
  });

  it('sizes the first batch from its guess so that it takes at most three quarters of the time left', () => {
    const p = new BatchPacer(() => 1_000, { max: 100, guessMsPerItem: 10 });
    expect(p.nextSize()).toBe(75);
    expect(new BatchPacer(() => 1_000, { max: 100, guessMsPerItem: 10, share: 0.5 }).nextSize()).toBe(50);
  });

  it('follows the measured rate: more items when writes are fast, fewer when slow', () => {
    let left = 2_000;
    const p = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10 });
    p.record(50, 50); // 1 ms per item
    expect(p.nextSize()).toBe(100);
    p.record(10, 400); // 40 ms per item: the estimate moves halfway, to 20.5 ms
    expect(p.nextSize()).toBe(73);
    left = 100;
    expect(p.nextSize()).toBe(3);
  });

  it('smooths the rate, so one slow batch does not shrink the rest', () => {
    const p = new BatchPacer(() => 10_000, { max: 10_000, guessMsPerItem: 10 });
    p.record(100, 100); // 1 ms per item
    p.record(100, 1_000); // 10 ms: one slow batch
    expect(p.nextSize()).toBe(1363); // 7,500 ms / 5.5 ms
    p.record(100, 100);
    expect(p.nextSize()).toBe(2307); // 7,500 ms / 3.25 ms
  });

  it('starts no batch once the time left cannot hold the smallest worth starting', () => {
    let left = 40;
    const p = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10 });
    p.record(10, 100);
    expect(p.nextSize()).toBe(3);
    left = 12;
    expect(p.nextSize()).toBe(0);
    left = -5;
    expect(p.nextSize()).toBe(0);
    const picky = new BatchPacer(() => 100, { max: 100, guessMsPerItem: 10, min: 10 });
    expect(picky.nextSize()).toBe(0);
  });

  it('with a progress floor, hands out one batch of that size, even when the estimate says it will not fit or the deadline has passed', () => {
    let left = 50;
    const p = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10, min: 10, progressFloor: 10 });
    expect(p.nextSize()).toBe(10); // 50 ms fits 3 items by the guess: below min, but nothing was written yet
    expect(p.nextSize()).toBe(0); // only once per run
    left = 1_000;
    const roomy = new BatchPacer(() => left, { max: 100, guessMsPerItem: 10, min: 10, progressFloor: 10 });
    expect(roomy.nextSize()).toBe(75);
    left = 1;
    expect(roomy.nextSize()).toBe(0); // a batch was already handed out
    const late = new BatchPacer(() => -200, { max: 100, guessMsPerItem: 10, progressFloor: 10 });
    expect(late.floorAvailable).toBe(true); // past the deadline the caller's write signal decides
    expect(late.nextSize()).toBe(10);
    expect(late.floorAvailable).toBe(false);
    expect(late.nextSize()).toBe(0);
    expect(new BatchPacer(() => -200, { max: 100, guessMsPerItem: 10 }).floorAvailable).toBe(false);
  });

  it('keeps the guaranteed batch for the first batch that does work: batches of pages an earlier run stored do not use it up', () => {
    const late = new BatchPacer(() => -200, { max: 100, guessMsPerItem: 10, progressFloor: 10 });
    expect(late.nextSize()).toBe(10);
    late.record(10, 3, 0); // all ten were already stored
    expect(late.floorAvailable).toBe(true);
    expect(late.nextSize()).toBe(10);
    late.record(10, 40, 4); // four needed writing
    expect(late.floorAvailable).toBe(false);
    expect(late.nextSize()).toBe(0);
    late.record(10, 1, 0); // once spent, a batch that did no work does not bring it back
    expect(late.floorAvailable).toBe(false);
  });

  it('measures the rate on the items that needed work', () => {
    let left = 1_000;
    const p = new BatchPacer(() => left, { max: 1_000, guessMsPerItem: 10 });
    p.nextSize();
    p.record(100, 100, 10); // 10 ms per written page, not 1 ms per item
    expect(p.nextSize()).toBe(75);
  });
});
