const MiB = 1024 * 1024;

/**
 * Tokens per batch on the CPU. CPU throughput barely grows past a few thousand tokens, and a
 * smaller batch keeps each commit — and the gap between two checks of the run's budget —
 * down to seconds.
 */
export const CPU_BATCH_TOKENS = 8_192;

/**
 * Ceiling for a GPU batch. Past ~100K tokens a GPU is saturated and bigger batches only make
 * each commit (and the work lost to a kill) larger.
 */
export const MAX_GPU_BATCH_TOKENS = 262_144;

/** What the CUDA context, cuBLAS/cuDNN handles and their workspaces take in a fresh process. */
export const CUDA_CONTEXT_BYTES = 512 * MiB;

/** Weights on the device plus the copies and arena rounding ORT makes while placing them. */
export const MODEL_FOOTPRINT_FACTOR = 2;

/** Share of the free memory left alone: other processes grow, and the allocator fragments. */
export const SAFETY_SHARE = 0.1;

/** Hidden size assumed when the model's is not known yet (BERT-large; most embedders are smaller). */
export const DEFAULT_HIDDEN_SIZE = 1024;

export interface GpuSizingInput {
  /** Free memory of the GPU the model will run on, when the embed phase starts. */
  freeBytes: number;
  /** Size of model.onnx (the weights). */
  modelBytes: number;
  /** Longest sequence the model is fed (its truncation length). */
  maxSequenceTokens: number;
  /** Width of the model's hidden states; DEFAULT_HIDDEN_SIZE when unknown. */
  hiddenSize?: number;
}

export type GpuSizing =
  | { ok: true; tokens: number; bytesPerToken: number; usableBytes: number }
  | { ok: false; reason: string; bytesPerToken: number; usableBytes: number };

/**
 * Estimated device memory one token of a batch needs while a transformer encoder runs
 * (inference frees each layer's activations before the next, so layers do not add up):
 *
 *   bytesPerToken = 4 B × (24 × hidden + 2 × heads × maxSequence),  heads = ⌈hidden / 64⌉
 *
 * 24 × hidden float32 values cover Q, K, V and the attention context (4 × hidden), the
 * feed-forward block's 4 × hidden intermediate and its activation (8 × hidden), residual and
 * layer-norm outputs, with the rest as slack for ORT's arena, which rounds allocations up. The
 * second term is the attention score and softmax matrices: each token holds one row of
 * `maxSequence` scores per head. Heads of 64 dimensions are the BERT/MiniLM/E5/BGE norm. For
 * BERT-base (768, 512 tokens) this is ~123 kB per token, for MiniLM-L6 (384, 256 tokens) ~49 kB.
 */
export function bytesPerToken(hiddenSize: number, maxSequenceTokens: number): number {
  const heads = Math.ceil(hiddenSize / 64);
  return 4 * (24 * hiddenSize + 2 * heads * maxSequenceTokens);
}

/**
 * The batch token budget that fits in a GPU's free memory:
 *
 *   usable = free − CUDA context − model bytes × MODEL_FOOTPRINT_FACTOR − free × SAFETY_SHARE
 *   tokens = min(⌊usable / bytesPerToken⌋, MAX_GPU_BATCH_TOKENS)
 *
 * Free memory, never total: other processes, other models and fragmentation own the rest.
 * When the usable memory cannot hold one sequence of `maxSequenceTokens`, the GPU would run
 * out of memory on the first long chunk, so the answer is "not the GPU" with the reason.
 */
export function gpuBatchTokens(input: GpuSizingInput): GpuSizing {
  const hidden = input.hiddenSize ?? DEFAULT_HIDDEN_SIZE;
  const perToken = bytesPerToken(hidden, input.maxSequenceTokens);
  const fixed = CUDA_CONTEXT_BYTES + input.modelBytes * MODEL_FOOTPRINT_FACTOR;
  const usableBytes = Math.max(0, Math.floor(input.freeBytes * (1 - SAFETY_SHARE) - fixed));
  const tokens = Math.min(Math.floor(usableBytes / perToken), MAX_GPU_BATCH_TOKENS);
  if (tokens < input.maxSequenceTokens) {
    const need = (fixed + perToken * input.maxSequenceTokens) / (1 - SAFETY_SHARE);
    return {
      ok: false,
      bytesPerToken: perToken,
      usableBytes,
      reason: `only ${mib(input.freeBytes)} MiB free; the model needs about ${mib(need)} MiB free for one ${input.maxSequenceTokens}-token sequence`,
    };
  }
  return { ok: true, tokens, bytesPerToken: perToken, usableBytes };
}

const mib = (bytes: number) => Math.ceil(bytes / MiB).toLocaleString('en-US');
