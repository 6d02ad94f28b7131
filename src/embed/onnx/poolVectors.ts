import type { PoolingMode } from './choosePooling.js';

/** A model output as onnxruntime returns it. */
export interface ModelOutput {
  type: string;
  dims: readonly number[];
  data: unknown;
}

export type PooledBatch = { rows: Float64Array; dims: number } | { error: string };

/**
 * One vector per text from a batch's model output: the [batch, dims] output itself for
 * 'model', else the [batch, sequence, dims] token output pooled over each text's `lengths[b]`
 * real tokens only (the rest of the row is padding, which the attention mask hid from the
 * model but not from its output). Summed in float64 so that the result does not depend on
 * how much padding the batch had. Not yet normalised. An output of the wrong type or shape
 * gives `{ error }`, the end of a sentence naming what is wrong.
 *
 * Self-contained on purpose: the worker thread that runs the model gets this function as
 * source text and pools there, so only batch × dims numbers cross back to the main thread.
 */
export function poolBatch(output: ModelOutput, lengths: readonly number[], mode: PoolingMode): PooledBatch {
  const batch = lengths.length;
  const sequence = Math.max(...lengths);
  const shape = output.dims;
  if (output.type !== 'float32' || !(output.data instanceof Float32Array)) {
    return { error: `is ${output.type}; the onnx provider reads float32 outputs (export the model with float32 outputs)` };
  }
  const ok = mode === 'model' ? shape.length === 2 && shape[0] === batch : shape.length === 3 && shape[0] === batch && shape[1] === sequence;
  if (!ok) {
    const expected = mode === 'model' ? `[${batch}, dims]` : `[${batch}, ${sequence}, dims]`;
    return { error: `has shape [${shape.join(', ')}], expected ${expected} for ${mode} pooling` };
  }
  const data = output.data;
  const dims = shape[shape.length - 1];
  const rows = new Float64Array(batch * dims);
  for (let b = 0; b < batch; b++) {
    const to = b * dims;
    const length = lengths[b];
    const rowStart = mode === 'model' ? b * dims : b * sequence * dims;
    if (mode === 'model' || mode === 'cls' || mode === 'lasttoken') {
      const from = rowStart + (mode === 'lasttoken' ? (length - 1) * dims : 0);
      for (let d = 0; d < dims; d++) rows[to + d] = data[from + d];
      continue;
    }
    if (mode === 'max') rows.fill(-Infinity, to, to + dims);
    for (let t = 0; t < length; t++) {
      const at = rowStart + t * dims;
      if (mode === 'max') for (let d = 0; d < dims; d++) rows[to + d] = Math.max(rows[to + d], data[at + d]);
      else for (let d = 0; d < dims; d++) rows[to + d] += data[at + d];
    }
    if (mode === 'mean') for (let d = 0; d < dims; d++) rows[to + d] /= length;
  }
  return { rows, dims };
}

/**
 * `values` scaled to unit length, as float32. A zero vector (a model can output one, e.g.
 * after a ReLU) gets the fixed direction (1, 1, …)/√d so that every text still gets a unit
 * vector; non-finite values (an overflowing half-precision model) give null: the caller
 * reports them instead of storing garbage.
 */
export function unitVector(values: Float64Array): Float32Array | null {
  let squares = 0;
  for (let d = 0; d < values.length; d++) squares += values[d] * values[d];
  if (!Number.isFinite(squares)) return null;
  if (squares === 0) return new Float32Array(values.length).fill(1 / Math.sqrt(values.length));
  const scale = 1 / Math.sqrt(squares);
  const out = new Float32Array(values.length);
  for (let d = 0; d < values.length; d++) out[d] = values[d] * scale;
  return out;
}
