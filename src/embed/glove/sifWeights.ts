/**
 * Smooth inverse frequency weights (Arora, Liang & Ma, "A simple but tough-to-beat baseline
 * for sentence embeddings", 2017): w = a / (a + p(w)). Frequent words ("the", "of") get
 * weights near 0.01, rare words near 1, so a sentence vector leans on its content words.
 */
export const sifSmoothing = 1e-3;

/**
 * Word probabilities for 1-based frequency ranks. The package carries no word counts, only
 * frequency order, so p(w) is estimated with Zipf's law: p(r) = 1 / (r · H(N)), H(N) the
 * N-th harmonic number, N the source vocabulary size. For English this puts p("the") near 7%,
 * close to its real share.
 */
export function zipfProbabilities(ranks: Uint32Array, vocabularySize: number): Float64Array {
  const harmonic = Math.log(vocabularySize) + 0.5772156649 + 1 / (2 * vocabularySize);
  return Float64Array.from(ranks, (rank) => 1 / (rank * harmonic));
}

export function sifWeights(probabilities: Float64Array, a = sifSmoothing): Float64Array {
  return probabilities.map((p) => a / (a + p));
}
