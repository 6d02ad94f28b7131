import type * as Ort from 'onnxruntime-node';
import { EmbedError } from '../EmbedError.js';

export type OnnxRuntime = typeof Ort;
export type ImportOnnxRuntime = () => Promise<OnnxRuntime>;

/**
 * How to add the runtime. Its install script downloads the CUDA libraries from outside the
 * npm registry; skipping that keeps the CPU runtime, which is bundled in the package.
 */
export const ONNX_RUNTIME_INSTALL_HINT =
  'install it next to brainsync: `npm install onnxruntime-node` (`npm install -g onnxruntime-node` for a global brainsync); ' +
  'where only the npm registry is reachable, prefix ONNXRUNTIME_NODE_INSTALL=skip (CPU only)';

const importFromNodeModules: ImportOnnxRuntime = () => import('onnxruntime-node');

/**
 * onnxruntime-node, imported on first use only: it is an optional peer dependency (a 100+ MB
 * native package), and nothing on the sync side may load it.
 */
export async function loadOnnxRuntime(importRuntime: ImportOnnxRuntime = importFromNodeModules): Promise<OnnxRuntime> {
  let runtime: OnnxRuntime;
  try {
    runtime = await importRuntime();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /onnxruntime-node/.test((err as Error).message)) {
      throw new EmbedError(`the onnx provider needs the onnxruntime-node package, which is not installed: ${ONNX_RUNTIME_INSTALL_HINT}`, { cause: err });
    }
    throw new EmbedError(`onnxruntime-node is installed but could not be loaded (${(err as Error).message}); reinstall it: ${ONNX_RUNTIME_INSTALL_HINT}`, {
      cause: err,
    });
  }
  // The native library logs straight to stderr, past brainsync's output, and fixes its level
  // when the first session is created. Everything that goes wrong also reaches us as an
  // exception, so only fatal messages stay (the failed CUDA probe alone prints four lines).
  if (runtime.env) runtime.env.logLevel = 'fatal';
  return runtime;
}
