import type { InferenceSession } from 'onnxruntime-node';
import { EmbedError } from '../EmbedError.js';
import type { OnnxRuntime } from './loadOnnxRuntime.js';

/** 'auto' and 'cuda' try the CUDA execution provider and fall back to the CPU; 'cpu' does not try. */
export type OnnxDevice = 'auto' | 'cuda' | 'cpu';

export interface OnnxSessionOptions {
  device?: OnnxDevice;
  /** CUDA device number (as CUDA numbers them after CUDA_VISIBLE_DEVICES). */
  deviceId?: number;
  /** CPU threads for one inference; default: onnxruntime's (one per core). */
  threads?: number;
}

export interface OnnxSession {
  session: InferenceSession;
  executionProvider: 'cuda' | 'cpu';
  /** One line for the user when CUDA was wanted and the CPU is used instead. */
  notice: string | null;
}

/**
 * An inference session for `modelPath`: on CUDA when the installed onnxruntime-node has it
 * (the npm package's CUDA libraries are a separate download, often absent), else on the CPU.
 * Asking for an absent CUDA provider throws rather than falling back, so the fallback is here.
 */
export async function createOnnxSession(runtime: OnnxRuntime, modelPath: string, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
  const device = opts.device ?? 'auto';
  const base: InferenceSession.SessionOptions = {};
  if (opts.threads !== undefined) base.intraOpNumThreads = opts.threads;
  let notice: string | null = null;
  if (device !== 'cpu') {
    const cuda = { name: 'cuda', deviceId: opts.deviceId ?? 0 } as const;
    try {
      const session = await runtime.InferenceSession.create(modelPath, { ...base, executionProviders: [cuda] });
      return { session, executionProvider: 'cuda', notice: null };
    } catch (err) {
      notice = `onnx: CUDA is not available (${firstLine(err)}); running ${modelPath} on the CPU`;
    }
  }
  try {
    const session = await runtime.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
    return { session, executionProvider: 'cpu', notice };
  } catch (err) {
    throw new EmbedError(`${modelPath}: onnxruntime cannot load this model (${firstLine(err)}); use a model.onnx exported for inference (e.g. with optimum)`, {
      cause: err,
    });
  }
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim().slice(0, 300);
}
