import { Worker } from 'node:worker_threads';
import { EmbedError } from '../EmbedError.js';
import { ONNX_RUNTIME_INSTALL_HINT } from './resolveOnnxRuntime.js';
import type { PoolingMode } from './choosePooling.js';
import { onnxWorkerMain, type FromWorker, type OnnxWorkerInit, type ToWorker, type WorkerTensor } from './onnxWorkerMain.js';
import { poolBatch } from './poolVectors.js';

/** A batch's pooled vectors (batch × dims, not normalised), as the worker sends them back. */
export interface PooledRows {
  rows: Float64Array;
  dims: number;
}

type Ready = Extract<FromWorker, { kind: 'ready' }>;

interface Pending {
  resolve: (t: PooledRows) => void;
  reject: (err: unknown) => void;
}

/**
 * An onnxruntime session living in its own worker thread (see onnxWorkerMain for why), seen
 * from the main thread. The worker keeps the process alive only while a batch is in flight,
 * so a provider that is never closed does not hold up the process's exit.
 */
export class OnnxWorkerSession {
  readonly executionProvider: 'cuda' | 'cpu';
  readonly cudaError: string | null;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputTypes: Readonly<Record<string, string>>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    ready: Ready,
    private readonly modelPath: string,
  ) {
    this.executionProvider = ready.executionProvider;
    this.cudaError = ready.cudaError;
    this.inputNames = ready.inputNames;
    this.outputNames = ready.outputNames;
    this.inputTypes = ready.inputTypes;
    worker.on('message', (msg: FromWorker) => this.settle(msg));
    worker.on('error', (err) => this.fail(new EmbedError(`the onnx worker for ${modelPath} failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.fail(new EmbedError(`the onnx worker for ${modelPath} stopped (exit code ${code})`)));
    worker.unref();
  }

  /** Starts the worker and waits until it has loaded the runtime and opened the model. */
  static async open(init: OnnxWorkerInit): Promise<OnnxWorkerSession> {
    const worker = new Worker(`(${onnxWorkerMain.toString()})(require, ${poolBatch.toString()})`, { eval: true, workerData: init });
    const first = await new Promise<FromWorker>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`exit code ${code}`)));
    }).catch((err: Error) => ({ kind: 'failed', stage: 'runtime', message: err.message }) as const);
    if (first.kind === 'ready') return new OnnxWorkerSession(worker, first, init.modelPath);
    await worker.terminate();
    if (first.kind === 'failed' && first.stage === 'model') {
      throw new EmbedError(`${init.modelPath}: onnxruntime cannot load this model (${first.message}); use a model.onnx exported for inference (e.g. with optimum)`);
    }
    const why = first.kind === 'failed' ? first.message : `unexpected message ${first.kind}`;
    throw new EmbedError(`onnxruntime-node is installed but could not be loaded (${why}); reinstall it: ${ONNX_RUNTIME_INSTALL_HINT}`);
  }

  /**
   * Runs the model on `feeds` and pools `output` over each text's `lengths` real tokens.
   * Rejects with the signal's reason on abort (the batch itself finishes in the worker and
   * its result is dropped).
   */
  run(feeds: WorkerTensor[], pooling: { output: string; mode: PoolingMode }, lengths: number[], signal?: AbortSignal): Promise<PooledRows> {
    signal?.throwIfAborted();
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<PooledRows>((resolve, reject) => {
      const onAbort = () => this.finish(id, () => reject(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        fn(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      if (this.pending.size === 1) this.worker.ref();
      const message: ToWorker = { kind: 'run', id, feeds, output: pooling.output, mode: pooling.mode, lengths };
      this.worker.postMessage(message, feeds.map((f) => f.data.buffer as ArrayBuffer));
    });
  }

  /** Closes the session and stops the worker. Idempotent. */
  async release(): Promise<void> {
    if (this.dead) return;
    this.fail(new EmbedError(`the onnx model ${this.modelPath} was closed`));
    this.worker.postMessage({ kind: 'close' } satisfies ToWorker);
    await this.worker.terminate();
  }

  private settle(msg: FromWorker): void {
    if (msg.kind === 'result') this.finish(msg.id, (p) => p.resolve(msg));
    else if (msg.kind === 'error') this.finish(msg.id, (p) => p.reject(new EmbedError(`${this.modelPath}: ${msg.message}`)));
  }

  private finish(id: number, fn: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (!p) return; // aborted earlier: its result is dropped
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    fn(p);
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const id of [...this.pending.keys()]) this.finish(id, (p) => p.reject(err));
  }
}
