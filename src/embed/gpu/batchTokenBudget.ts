import { UsageError } from '../../errors.js';
import { CPU_BATCH_TOKENS, gpuBatchTokens } from './gpuBatchTokens.js';
import { physicalGpuIndex } from './parseGpuMemory.js';
import { readGpuMemory, type ReadGpuMemoryOptions } from './readGpuMemory.js';

const MiB = 1024 * 1024;

export interface BatchTokenBudgetOptions {
  /** `--embed-batch-tokens`: wins over any measurement. */
  override?: number;
  /** The CUDA device the provider runs on (ORT's deviceId); default 0. */
  deviceId?: number;
  /** CUDA_VISIBLE_DEVICES as the CLI edge read it, to map `deviceId` to nvidia-smi's index. */
  cudaVisibleDevices?: string;
  /** What the model needs; see gpuBatchTokens. */
  model: { bytes: number; maxSequenceTokens: number; hiddenSize?: number };
  /** How nvidia-smi is run (command, environment, timeout); tests point it at a fake. */
  nvidiaSmi?: Omit<ReadGpuMemoryOptions, 'signal'>;
  signal?: AbortSignal;
}

export interface BatchTokenBudget {
  /** Tokens (padding included) per batch. */
  tokens: number;
  /** Where the number came from. 'cpu' also means "the GPU is not usable for this model". */
  basis: 'override' | 'gpu' | 'cpu';
  /** One line for --debug: what was measured, or why the CPU default was used. */
  reason: string;
  /** The nvidia-smi index that was measured, for basis 'gpu'. */
  gpuIndex?: number;
}

/**
 * The batch token budget for an in-process provider, decided when the embed phase starts:
 * an explicit override; else the GPU's free memory (nvidia-smi, under a short timeout) minus
 * the model's footprint and a margin; else — no GPU, nvidia-smi missing, failing, hanging or
 * printing garbage, or too little free memory — the CPU default, with the reason.
 */
export async function batchTokenBudget(opts: BatchTokenBudgetOptions): Promise<BatchTokenBudget> {
  if (opts.override !== undefined) {
    if (!Number.isSafeInteger(opts.override) || opts.override < 1) {
      throw new UsageError(`--embed-batch-tokens must be a whole number of tokens above 0, not ${opts.override}`);
    }
    return { tokens: opts.override, basis: 'override', reason: `--embed-batch-tokens ${opts.override}` };
  }
  const cpu = (why: string): BatchTokenBudget => ({
    tokens: CPU_BATCH_TOKENS,
    basis: 'cpu',
    reason: `${why}; CPU batch size of ${CPU_BATCH_TOKENS} tokens`,
  });
  const deviceId = opts.deviceId ?? 0;
  const index = physicalGpuIndex(deviceId, opts.cudaVisibleDevices);
  if (index === null) return cpu(`CUDA_VISIBLE_DEVICES=${JSON.stringify(opts.cudaVisibleDevices)} has no numeric entry for device ${deviceId}`);
  const reading = await readGpuMemory({ ...opts.nvidiaSmi, signal: opts.signal });
  if (!reading.ok) return cpu(reading.reason);
  const gpu = reading.gpus[index];
  if (!gpu) return cpu(`nvidia-smi lists ${reading.gpus.length} GPU(s), none with index ${index}`);
  const sizing = gpuBatchTokens({
    freeBytes: gpu.freeMiB * MiB,
    modelBytes: opts.model.bytes,
    maxSequenceTokens: opts.model.maxSequenceTokens,
    hiddenSize: opts.model.hiddenSize,
  });
  if (!sizing.ok) return cpu(`GPU ${index}: ${sizing.reason}`);
  return {
    tokens: sizing.tokens,
    basis: 'gpu',
    gpuIndex: index,
    reason:
      `GPU ${index}: ${gpu.freeMiB} of ${gpu.totalMiB} MiB free, ${Math.floor(sizing.usableBytes / MiB)} MiB usable ` +
      `at ~${Math.round(sizing.bytesPerToken / 1024)} KiB per token: ${sizing.tokens} tokens per batch`,
  };
}
