/**
 * Sizes write batches from the measured write rate so that a batch commits well inside the
 * time left, and says when to stop starting batches before the deadline. Under a tight
 * budget this is the difference between a wave that keeps its work and one whose last batch
 * is rolled back (a fixed 100-page batch could take longer than a whole 2 s budget).
 */
export class BatchPacer {
  /** Smoothed milliseconds per item of recent batches; null until one has finished. */
  private msPerItem: number | null = null;

  constructor(
    private readonly timeLeft: () => number,
    private readonly opts: {
      /** Largest batch (the size without a budget). */
      max: number;
      /** Assumed cost of one item before any batch has been measured (deliberately high). */
      guessMsPerItem: number;
      /** Share of the time left one batch may take. */
      share?: number;
    },
  ) {}

  /** How many items the next batch should hold; 0 = do not start another batch. */
  nextSize(): number {
    const left = this.timeLeft();
    if (left === Infinity) return this.opts.max;
    const rate = this.msPerItem ?? this.opts.guessMsPerItem;
    const size = Math.floor((left * (this.opts.share ?? 0.5)) / rate);
    return Math.max(0, Math.min(this.opts.max, size));
  }

  /** A batch of `items` took `ms` from start to commit. */
  record(items: number, ms: number): void {
    if (items <= 0) return;
    const rate = Math.max(ms, 1) / items;
    // Lean towards the slower of old and new: under-estimating the cost is what loses work.
    this.msPerItem = this.msPerItem === null ? rate : Math.max(rate, (this.msPerItem + rate) / 2);
  }
}
