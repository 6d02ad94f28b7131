import type { PoolingMode } from './choosePooling.js';

/** A [batch, sequence, dims] model output, rows right-padded. */
export interface TokenOutput {
  data: Float32Array;
  sequence: number;
  dims: number;
}

/**
 * One text's vector from the token output, over its `length` real tokens only (the rest of
 * the row is padding, which the attention mask hid from the model but not from its output).
 * Summed in float64 so that the result does not depend on how much padding the batch had.
 */
export function poolTokens(out: TokenOutput, row: number, length: number, mode: Exclude<PoolingMode, 'model'>): Float64Array {
  const { data, sequence, dims } = out;
  const rowStart = row * sequence * dims;
  const pooled = new Float64Array(dims);
  if (mode === 'cls' || mode === 'lasttoken') {
    const at = rowStart + (mode === 'cls' ? 0 : length - 1) * dims;
    for (let d = 0; d < dims; d++) pooled[d] = data[at + d];
    return pooled;
  }
  if (mode === 'max') pooled.fill(-Infinity);
  for (let t = 0; t < length; t++) {
    const at = rowStart + t * dims;
    if (mode === 'max') for (let d = 0; d < dims; d++) pooled[d] = Math.max(pooled[d], data[at + d]);
    else for (let d = 0; d < dims; d++) pooled[d] += data[at + d];
  }
  if (mode === 'mean') for (let d = 0; d < dims; d++) pooled[d] /= length;
  return pooled;
}

/** Row `row` of a [batch, dims] output. */
export function pooledRow(data: Float32Array, row: number, dims: number): Float64Array {
  return Float64Array.from(data.subarray(row * dims, (row + 1) * dims));
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
