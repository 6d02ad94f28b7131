import type * as Ort from 'onnxruntime-node';
import type * as WorkerThreads from 'node:worker_threads';
import type { PoolingMode } from './choosePooling.js';
import type { poolBatch } from './poolVectors.js';

/** What the worker is started with. */
export interface OnnxWorkerInit {
  /** onnxruntime-node's entry file, resolved by the main thread (the worker has no module URL). */
  runtimePath: string;
  modelPath: string;
  device: 'auto' | 'cuda' | 'cpu';
  deviceId: number;
  threads?: number;
}

export interface WorkerTensor {
  name: string;
  type: 'int64' | 'int32';
  data: BigInt64Array | Int32Array;
  dims: number[];
}

export type FromWorker =
  | {
      kind: 'ready';
      executionProvider: 'cuda' | 'cpu';
      /** Why CUDA was not used, when it was tried. */
      cudaError: string | null;
      inputNames: string[];
      outputNames: string[];
      /** Element type per input ('int64', 'int32', …); empty when the runtime does not say. */
      inputTypes: Record<string, string>;
    }
  | { kind: 'failed'; stage: 'runtime' | 'model'; message: string }
  | { kind: 'result'; id: number; rows: Float64Array; dims: number }
  /** `message` follows "model.onnx: " in the error the main thread raises. */
  | { kind: 'error'; id: number; message: string };

export interface WorkerRun {
  kind: 'run';
  id: number;
  feeds: WorkerTensor[];
  output: string;
  mode: PoolingMode;
  /** Real tokens per text. */
  lengths: number[];
}

export type ToWorker = WorkerRun | { kind: 'close' };

/**
 * The onnxruntime side of the onnx provider, run in a worker thread. onnxruntime-node's
 * `session.run` is synchronous on the calling thread: on the main thread one CPU batch of a
 * real transformer blocks the event loop for seconds, starving the run's budget timer, the
 * lock heartbeat and signal handling. Here it blocks only this worker.
 *
 * Started as source text (`(${onnxWorkerMain})(require, ${poolBatch})`), so it must not use
 * anything from its module: only its arguments and what `req` loads. It pools each output
 * right here (poolBatch), so only batch × dims numbers go back. It opens the session — the CUDA execution
 * provider first unless device is 'cpu', falling back to the CPU because asking for an absent
 * CUDA provider throws — then runs batches it is sent.
 */
export function onnxWorkerMain(req: NodeJS.Require, pool: typeof poolBatch): void {
  const { parentPort, workerData } = req('node:worker_threads') as typeof WorkerThreads;
  const port = parentPort!;
  const init = workerData as OnnxWorkerInit;
  const post = (message: FromWorker) => port.postMessage(message);
  const firstLine = (err: unknown) => String(err instanceof Error ? err.message : err).split('\n')[0].trim().slice(0, 300);
  let ort: typeof Ort;
  try {
    ort = req(init.runtimePath) as typeof Ort;
    // The native library logs straight to stderr, past brainsync's output, and fixes its
    // level at the first session. Everything that goes wrong also reaches us as an exception,
    // so only fatal messages stay (the failed CUDA attempt alone prints four lines).
    ort.env.logLevel = 'fatal';
  } catch (err) {
    post({ kind: 'failed', stage: 'runtime', message: firstLine(err) });
    return;
  }
  let session: Ort.InferenceSession | null = null;
  const open = async (): Promise<void> => {
    const base: Ort.InferenceSession.SessionOptions = init.threads === undefined ? {} : { intraOpNumThreads: init.threads };
    let cudaError: string | null = null;
    let executionProvider: 'cuda' | 'cpu' = 'cuda';
    if (init.device !== 'cpu') {
      try {
        session = await ort.InferenceSession.create(init.modelPath, { ...base, executionProviders: [{ name: 'cuda', deviceId: init.deviceId }] });
      } catch (err) {
        cudaError = firstLine(err);
      }
    }
    if (!session) {
      executionProvider = 'cpu';
      try {
        session = await ort.InferenceSession.create(init.modelPath, { ...base, executionProviders: ['cpu'] });
      } catch (err) {
        post({ kind: 'failed', stage: 'model', message: firstLine(err) });
        return;
      }
    }
    const inputTypes: Record<string, string> = {};
    for (const m of session.inputMetadata ?? []) if (m.isTensor) inputTypes[m.name] = m.type;
    post({ kind: 'ready', executionProvider, cudaError, inputNames: [...session.inputNames], outputNames: [...session.outputNames], inputTypes });
  };
  const run = async (msg: WorkerRun): Promise<void> => {
    try {
      const feeds: Record<string, Ort.Tensor> = {};
      for (const f of msg.feeds) feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
      const result = await session!.run(feeds, [msg.output]);
      const pooled = pool(result[msg.output], msg.lengths, msg.mode);
      for (const tensor of Object.values(result)) tensor.dispose?.();
      if ('error' in pooled) post({ kind: 'error', id: msg.id, message: `output ${msg.output} ${pooled.error}` });
      else port.postMessage({ kind: 'result', id: msg.id, rows: pooled.rows, dims: pooled.dims } satisfies FromWorker, [pooled.rows.buffer as ArrayBuffer]);
    } catch (err) {
      post({ kind: 'error', id: msg.id, message: `the model failed on a batch: ${firstLine(err)}` });
    }
  };
  port.on('message', (msg: ToWorker) => {
    if (msg.kind === 'run') void run(msg);
    else {
      void session?.release();
      session = null;
      port.close();
    }
  });
  void open();
}
