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
      /** Share of the time left one batch may take (default 0.75; the budget's grace covers an overrun). */
      share?: number;
      /**
       * Smallest batch worth starting (default 1): a tail of tiny batches near the deadline
       * spends its time on per-batch overhead (lookups, commits) instead of pages.
       */
      min?: number;
      /**
       * Guaranteed progress: the first batch of a run holds at least this many items, even when
       * the estimate says it will not fit or the deadline has passed (the budget's grace covers
       * it; see floorAvailable). Without it, a run whose lock, pull and plan take nearly its whole budget
       * would stop before writing anything, wave after wave, and its source never catch up.
       * A batch that did no work (paths an earlier run already deleted, say) does not use the
       * floor up: a resumed run would otherwise redo the same first batch wave after wave.
       */
      progressFloor?: number;
    },
  ) {}

  private handedOut = false;
  /** Some batch has done work: the guaranteed batch is spent for good. */
  private progressed = false;

  /**
   * True while the guaranteed first batch has not been handed out: the caller then lets it
   * start until the budget's grace ends (the write signal), not only until the deadline.
   */
  get floorAvailable(): boolean {
    return !this.handedOut && (this.opts.progressFloor ?? 0) > 0;
  }

  /** How many items the next batch should hold; 0 = do not start another batch. */
  nextSize(): number {
    const left = this.timeLeft();
    if (left === Infinity) {
      this.handedOut = true;
      return this.opts.max;
    }
    const rate = this.msPerItem ?? this.opts.guessMsPerItem;
    const size = Math.min(this.opts.max, Math.floor((left * (this.opts.share ?? 0.75)) / rate));
    const floor = this.floorAvailable ? Math.min(this.opts.max, this.opts.progressFloor ?? 0) : 0;
    const chosen = size >= (this.opts.min ?? 1) ? size : 0;
    if (chosen > 0 || floor > 0) this.handedOut = true;
    return Math.max(chosen, floor);
  }

  /**
   * A batch of `items` took `ms` from start to commit, and `worked` of them needed work (the
   * rest were already stored). The rate is measured on the items that needed work.
   */
  record(items: number, ms: number, worked = items): void {
    if (worked <= 0) {
      if (!this.progressed) this.handedOut = false;
      return;
    }
    this.progressed = true;
    const rate = Math.max(ms, 1) / worked;
    // Smoothed, not worst-case: one slow batch (a checkpoint, a GC) should not shrink the
    // rest, and an under-estimate is covered by the budget's grace.
    this.msPerItem = this.msPerItem === null ? rate : (this.msPerItem + rate) / 2;
  }
}
