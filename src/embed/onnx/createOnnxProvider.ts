import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { EmbedError } from '../EmbedError.js';
import { CPU_BATCH_TOKENS } from '../gpu/gpuBatchTokens.js';
import { choosePooling, type Pooling, type PoolingMode } from './choosePooling.js';
import { modelInputs } from './modelInputs.js';
import { OnnxProvider } from './OnnxProvider.js';
import { loadOnnxTokenizer, type OnnxTokenizer } from './OnnxTokenizer.js';
import { MODEL_DIR_HINT, parseJsonFile, readOptionalModelFile } from './readModelFile.js';
import { OnnxWorkerSession } from './OnnxWorkerSession.js';
import { resolveOnnxRuntime, type ResolveOnnxRuntime } from './resolveOnnxRuntime.js';
import { runOnnxBatch, type OnnxBatchModel } from './runOnnxBatch.js';
import { sha256File } from './sha256File.js';

/** 'auto' and 'cuda' try the CUDA execution provider and fall back to the CPU; 'cpu' does not try. */
export type OnnxDevice = 'auto' | 'cuda' | 'cpu';

/** Bump when tokenising, truncating, padding or pooling changes the vectors of the same files. */
const algorithm = 'onnx/v1';

export interface OnnxProviderOptions {
  /** The model directory: model.onnx and tokenizer.json (tokenizer_config.json and 1_Pooling/config.json are read when present). */
  dir: string;
  /** Model name stored with the vectors; default the directory's name. */
  model?: string;
  /** Default 'auto': CUDA when the installed runtime has it, else the CPU with a notice. */
  device?: OnnxDevice;
  /** CUDA device number (as CUDA numbers them after CUDA_VISIBLE_DEVICES); default 0. */
  deviceId?: number;
  /** CPU threads per inference; default one per core. */
  threads?: number;
  /** Overrides the pooling read from the model (see choosePooling). */
  pooling?: PoolingMode;
  /** Overrides the sequence length read from the tokenizer files. */
  maxTokens?: number;
  /** Tokens per model call, padding included; default CPU_BATCH_TOKENS (see batchTokenBudget for GPUs). */
  batchTokens?: number;
  /** Receives the one-line CPU fallback notice. */
  onNotice?: (line: string) => void;
  /** Finds onnxruntime-node's entry file; tests replace it. */
  resolveRuntime?: ResolveOnnxRuntime;
  signal?: AbortSignal;
}

/**
 * Loads an `onnx:DIR` model: checks the directory, reads the tokenizer, starts a worker
 * thread that loads onnxruntime-node (only now: the sync side never loads it) and opens the
 * model on CUDA or the CPU, picks the pooling from the model's outputs, fingerprints the
 * files and runs one empty text through the model to learn its dimensions and prove it works.
 */
export async function createOnnxProvider(opts: OnnxProviderOptions): Promise<OnnxProvider> {
  const { signal } = opts;
  if (opts.batchTokens !== undefined && !(Number.isSafeInteger(opts.batchTokens) && opts.batchTokens > 0)) {
    throw new UsageError(`batch tokens must be a whole number above 0, not ${opts.batchTokens}`);
  }
  const dir = resolve(opts.dir);
  const modelPath = join(dir, 'model.onnx');
  const modelBytes = await fileSize(modelPath);
  const tokenizer = await loadOnnxTokenizer(dir, { maxTokens: opts.maxTokens, signal });
  const poolingConfigPath = join(dir, '1_Pooling', 'config.json');
  const poolingBytes = await readOptionalModelFile(poolingConfigPath, signal);
  const poolingConfig = poolingBytes ? parseJsonFile(poolingBytes, poolingConfigPath) : undefined;
  const runtimePath = resolveOnnxRuntime(opts.resolveRuntime);
  signal?.throwIfAborted();
  const session = await OnnxWorkerSession.open({ runtimePath, modelPath, device: opts.device ?? 'auto', deviceId: opts.deviceId ?? 0, threads: opts.threads });
  try {
    const pooling = choosePooling(session.outputNames, { override: opts.pooling, poolingConfig });
    const batchModel: OnnxBatchModel = { session, modelPath, inputs: modelInputs(session.inputNames, session.inputTypes), pooling, padId: tokenizer.padId };
    const modelSha256 = await sha256File(modelPath, signal);
    const [probe] = await runOnnxBatch(batchModel, [tokenizer.encode('')], signal);
    const notice = session.cudaError === null ? null : `onnx: CUDA is not available (${session.cudaError}); running ${modelPath} on the CPU`;
    if (notice) opts.onNotice?.(notice);
    return new OnnxProvider({
      model: opts.model ?? basename(dir),
      dir,
      batchModel,
      tokenizer,
      dimensions: probe.length,
      fingerprint: fingerprintOf(modelSha256, tokenizer, pooling),
      executionProvider: session.executionProvider,
      notice,
      modelBytes,
      batchTokens: opts.batchTokens ?? CPU_BATCH_TOKENS,
    });
  } catch (err) {
    await session.release();
    throw err;
  }
}

/**
 * The weights, both tokenizer files and every setting that changes the vectors: two providers
 * with equal fingerprints give equal vectors.
 */
function fingerprintOf(modelSha256: string, tokenizer: OnnxTokenizer, pooling: Pooling): string {
  const sha = (b: Buffer | null) => (b ? createHash('sha256').update(b).digest('hex') : null);
  const settings = {
    algorithm,
    model: modelSha256,
    tokenizer: sha(tokenizer.files.tokenizerJson),
    tokenizerConfig: sha(tokenizer.files.tokenizerConfig),
    maxTokens: tokenizer.maxTokens,
    pooling: { mode: pooling.mode, output: pooling.output },
  };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new EmbedError(`${path} is not a file: ${MODEL_DIR_HINT}`);
    return s.size;
  } catch (err) {
    if (err instanceof EmbedError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EmbedError(`${path} not found: ${MODEL_DIR_HINT}`);
    throw new EmbedError(`${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}
