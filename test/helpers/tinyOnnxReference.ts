// @ts-expect-error plain JS bench module
import { writeTinyModel as writeTinyModelJs } from '../../bench/tinyOnnxModel.mjs';

/** What bench/tinyOnnxModel.mjs wrote: enough to recompute its vectors without onnxruntime. */
export interface TinyModel {
  dir: string;
  vocab: string[];
  table: Float32Array;
  typeTable: Float32Array | null;
  dims: number;
  maxLength: number;
  ids: { pad: number; unk: number; cls: number; sep: number };
  modelBytes: number;
}

export interface TinyModelOptions {
  dims?: number;
  seed?: number;
  output?: 'hidden' | 'pooled';
  hiddenName?: string;
  pooledName?: string;
  tokenTypeIds?: boolean;
  idType?: 'int64' | 'int32';
  maxLength?: number;
  maxLengthIn?: 'tokenizer' | 'config' | 'none';
  extraInputs?: string[];
  matmuls?: number;
}

export const writeTinyModel = writeTinyModelJs as (dir: string, opts?: TinyModelOptions) => Promise<TinyModel>;

/**
 * The tokenizer's ids, computed independently of it: BERT-style lower-casing and splitting
 * on whitespace and ASCII punctuation, whole words only (the vocabulary has no ## pieces, so
 * an unknown word is one [UNK]), cut to maxLength with [CLS] … [SEP]. Good for ASCII text.
 */
export function referenceIds(text: string, m: TinyModel, maxLength = m.maxLength): number[] {
  const index = new Map(m.vocab.map((w, i) => [w, i]));
  const words = text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? [];
  const ids = words.map((w) => index.get(w) ?? m.ids.unk);
  return [m.ids.cls, ...ids.slice(0, maxLength - 2), m.ids.sep];
}

/** The model's per-token vectors for `ids` (embedding row + token type 0 row). */
function tokenRows(ids: number[], m: TinyModel): Float64Array[] {
  return ids.map((id) => {
    const row = new Float64Array(m.dims);
    for (let d = 0; d < m.dims; d++) row[d] = m.table[id * m.dims + d] + (m.typeTable ? m.typeTable[d] : 0);
    return row;
  });
}

/** Pooled and L2-normalised, in plain JavaScript. */
export function referenceVector(ids: number[], m: TinyModel, mode: 'mean' | 'max' | 'cls'): Float32Array {
  const rows = tokenRows(ids, m);
  const pooled = new Float64Array(m.dims);
  for (let d = 0; d < m.dims; d++) {
    const column = rows.map((r) => Math.fround(r[d])); // the model adds in float32
    if (mode === 'mean') pooled[d] = column.reduce((a, b) => a + b, 0) / column.length;
    else if (mode === 'max') pooled[d] = Math.max(...column);
    else pooled[d] = column[0];
  }
  const norm = Math.hypot(...pooled);
  return Float32Array.from(pooled, (x) => x / norm);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}
