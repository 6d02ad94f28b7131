import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { EmbedError } from '../EmbedError.js';
import type { Pooling } from './choosePooling.js';
import type { OnnxRuntime } from './loadOnnxRuntime.js';
import type { EncodedText } from './OnnxTokenizer.js';
import { pooledRow, poolTokens, unitVector } from './poolVectors.js';

/** The inputs brainsync knows how to fill. */
export const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
export type KnownInput = (typeof KNOWN_INPUTS)[number];

export interface ModelInput {
  name: KnownInput;
  type: 'int64' | 'int32';
}

export interface OnnxBatchModel {
  runtime: OnnxRuntime;
  session: InferenceSession;
  inputs: readonly ModelInput[];
  pooling: Pooling;
  padId: number;
}

/**
 * Runs one batch: pads every text to the batch's longest (pad id, attention mask 0), runs
 * the model, pools each row over its real tokens and normalises. One unit vector per row.
 */
export async function runOnnxBatch(model: OnnxBatchModel, rows: readonly EncodedText[]): Promise<Float32Array[]> {
  const { output } = model.pooling;
  const result = await model.session.run(buildFeeds(model, rows), [output]);
  try {
    return poolOutput(result[output], rows, model.pooling);
  } finally {
    for (const tensor of Object.values(result)) tensor.dispose?.();
  }
}

function buildFeeds(model: OnnxBatchModel, rows: readonly EncodedText[]): Record<string, Tensor> {
  const batch = rows.length;
  const sequence = Math.max(...rows.map((r) => r.ids.length));
  const feeds: Record<string, Tensor> = {};
  for (const input of model.inputs) {
    const values = new Array<number>(batch * sequence).fill(input.name === 'input_ids' ? model.padId : 0);
    rows.forEach((row, b) => {
      const source = input.name === 'input_ids' ? row.ids : input.name === 'token_type_ids' ? row.typeIds : null;
      for (let t = 0; t < row.ids.length; t++) values[b * sequence + t] = source ? source[t] : 1;
    });
    const data = input.type === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : Int32Array.from(values);
    feeds[input.name] = new model.runtime.Tensor(input.type, data, [batch, sequence]);
  }
  return feeds;
}

function poolOutput(tensor: Tensor, rows: readonly EncodedText[], pooling: Pooling): Float32Array[] {
  const { output, mode } = pooling;
  if (tensor.type !== 'float32') {
    throw new EmbedError(`model.onnx output ${output} is ${tensor.type}; the onnx provider reads float32 outputs (export the model with float32 outputs)`);
  }
  const batch = rows.length;
  const sequence = Math.max(...rows.map((r) => r.ids.length));
  const shape = tensor.dims;
  const ok = mode === 'model' ? shape.length === 2 && shape[0] === batch : shape.length === 3 && shape[0] === batch && shape[1] === sequence;
  if (!ok) {
    const expected = mode === 'model' ? `[${batch}, dims]` : `[${batch}, ${sequence}, dims]`;
    throw new EmbedError(`model.onnx output ${output} has shape [${shape.join(', ')}], expected ${expected} for ${mode} pooling`);
  }
  const data = tensor.data as Float32Array;
  const dims = shape[shape.length - 1];
  return rows.map((row, i) => {
    const pooled = mode === 'model' ? pooledRow(data, i, dims) : poolTokens({ data, sequence, dims }, i, row.ids.length, mode);
    const unit = unitVector(pooled);
    if (!unit) throw new EmbedError(`model.onnx output ${output} holds non-finite values (NaN or Infinity); the model cannot be used as exported`);
    return unit;
  });
}
