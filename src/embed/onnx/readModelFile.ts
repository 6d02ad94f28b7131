import { readFile } from 'node:fs/promises';
import { EmbedError } from '../EmbedError.js';

/** What an onnx model directory must hold; said in every "not found" message. */
export const MODEL_DIR_HINT = 'the onnx provider needs a directory with model.onnx and tokenizer.json (a HuggingFace model exported to ONNX)';

/** A file the model directory must have. */
export async function readModelFile(path: string, signal?: AbortSignal): Promise<Buffer> {
  const bytes = await readOptionalModelFile(path, signal);
  if (bytes === null) throw new EmbedError(`${path} not found: ${MODEL_DIR_HINT}`);
  return bytes;
}

/** A file the model directory may have; null when it does not. */
export async function readOptionalModelFile(path: string, signal?: AbortSignal): Promise<Buffer | null> {
  try {
    return await readFile(path, { signal });
  } catch (err) {
    signal?.throwIfAborted();
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EmbedError(`${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

export function parseJsonFile(bytes: Buffer, path: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new EmbedError(`${path} is not valid JSON (${(err as Error).message}); replace it with the model's original file`, { cause: err });
  }
}
