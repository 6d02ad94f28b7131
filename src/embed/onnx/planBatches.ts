/**
 * Splits texts (given by their token counts) into model batches of at most `budgetTokens`
 * tokens each, padding included: a batch costs count × its longest text. Texts are taken
 * longest first, so texts of similar length share a batch and little is spent on padding.
 * A text longer than the budget gets a batch of its own (the model's length limit bounds it).
 * Returns the texts' indices per batch; every index appears once.
 */
export function planBatches(lengths: readonly number[], budgetTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    // Sorted longest first: the batch's first text sets its padded length.
    if (current.length === 0) longest = lengths[i];
    else if ((current.length + 1) * longest > budgetTokens) {
      batches.push(current);
      current = [];
      longest = lengths[i];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
