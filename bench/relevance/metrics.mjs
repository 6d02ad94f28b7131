// Ranking metrics for the relevance bench. `ranked` is the list of page ids a search returned,
// best first; `relevant` maps page id → grade (2 = the answer, 1 = related; unlisted = 0).
// A page listed twice in `ranked` counts once, at its first rank.

function checkRelevant(relevant) {
  const grades = Object.values(relevant);
  if (grades.length === 0 || !grades.some((g) => g > 0)) {
    throw new Error('a query needs at least one relevant page (grade 1 or 2) to be scored; label it or drop it');
  }
}

/** The first k distinct ids of a ranking. */
function topK(ranked, k) {
  return [...new Set(ranked)].slice(0, k);
}

/** Discounted cumulative gain of gains listed in rank order: sum of gain / log2(rank + 1). */
export function dcg(gains) {
  return gains.reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
}

/**
 * nDCG@k with the grade as the gain (linear gains, as trec_eval and BEIR compute it): the
 * ranking's DCG over the first k results divided by the DCG of the ideal ranking of every
 * labelled page, also cut at k. 1 means the best pages came first in the best order.
 */
export function ndcgAtK(ranked, relevant, k = 10) {
  checkRelevant(relevant);
  const gains = topK(ranked, k).map((id) => relevant[id] ?? 0);
  const ideal = Object.values(relevant).sort((a, b) => b - a).slice(0, k);
  return dcg(gains) / dcg(ideal);
}

/**
 * Recall@k, capped: relevant pages (grade ≥ 1) in the first k results divided by
 * min(number of relevant pages, k), so that a query with more than k relevant pages can
 * still reach 1.
 */
export function recallAtK(ranked, relevant, k = 10) {
  checkRelevant(relevant);
  const found = topK(ranked, k).filter((id) => (relevant[id] ?? 0) > 0).length;
  const total = Object.values(relevant).filter((g) => g > 0).length;
  return found / Math.min(total, k);
}

/** 1 / rank of the first page of at least `minGrade` (the answer, by default), 0 if none is returned. */
export function reciprocalRank(ranked, relevant, minGrade = 2) {
  checkRelevant(relevant);
  const rank = topK(ranked, Infinity).findIndex((id) => (relevant[id] ?? 0) >= minGrade);
  return rank < 0 ? 0 : 1 / (rank + 1);
}

/** Arithmetic mean; NaN for no values (a class with no queries). */
export function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}
