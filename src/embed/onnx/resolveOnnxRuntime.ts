import { createRequire } from 'node:module';
import { EmbedError } from '../EmbedError.js';

/**
 * How to add the runtime. Its install script downloads the CUDA libraries from outside the
 * npm registry; skipping that keeps the CPU runtime, which is bundled in the package.
 */
export const ONNX_RUNTIME_INSTALL_HINT =
  'install it next to brainsync: `npm install onnxruntime-node` (`npm install -g onnxruntime-node` for a global brainsync); ' +
  'where only the npm registry is reachable, prefix ONNXRUNTIME_NODE_INSTALL=skip (CPU only)';

export type ResolveOnnxRuntime = () => string;

const fromThisPackage: ResolveOnnxRuntime = () => createRequire(import.meta.url).resolve('onnxruntime-node');

/**
 * The path of onnxruntime-node's entry file, found from brainsync's own location. The package
 * is an optional peer dependency (100+ MB, native): it is only looked up when an onnx model is
 * loaded, and only the worker thread that runs the model loads it.
 */
export function resolveOnnxRuntime(resolve: ResolveOnnxRuntime = fromThisPackage): string {
  try {
    return resolve();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new EmbedError(`the onnx provider needs the onnxruntime-node package, which is not installed: ${ONNX_RUNTIME_INSTALL_HINT}`, { cause: err });
    }
    throw new EmbedError(`onnxruntime-node cannot be found (${(err as Error).message}); ${ONNX_RUNTIME_INSTALL_HINT}`, { cause: err });
  }
}
