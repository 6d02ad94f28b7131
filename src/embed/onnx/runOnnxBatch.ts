import { EmbedError } from '../EmbedError.js';
import type { Pooling } from './choosePooling.js';
import type { WorkerTensor } from './onnxWorkerMain.js';
import type { EncodedText } from './OnnxTokenizer.js';
import type { OnnxWorkerSession, OutputTensor } from './OnnxWorkerSession.js';
import { pooledRow, poolTokens, unitVector } from './poolVectors.js';

/** The inputs brainsync knows how to fill. */
export const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
export type KnownInput = (typeof KNOWN_INPUTS)[number];

export interface ModelInput {
  name: KnownInput;
  type: 'int64' | 'int32';
}

export interface OnnxBatchModel {
  session: OnnxWorkerSession;
  inputs: readonly ModelInput[];
  pooling: Pooling;
  padId: number;
}

/**
 * Runs one batch: pads every text to the batch's longest (pad id, attention mask 0), runs
 * the model, pools each row over its real tokens and normalises. One unit vector per row.
 */
export async function runOnnxBatch(model: OnnxBatchModel, rows: readonly EncodedText[], signal?: AbortSignal): Promise<Float32Array[]> {
  const tensor = await model.session.run(buildFeeds(model, rows), model.pooling.output, signal);
  return poolOutput(tensor, rows, model.pooling);
}

function buildFeeds(model: OnnxBatchModel, rows: readonly EncodedText[]): WorkerTensor[] {
  const batch = rows.length;
  const sequence = Math.max(...rows.map((r) => r.ids.length));
  return model.inputs.map((input) => {
    const length = batch * sequence;
    const data = input.type === 'int64' ? new BigInt64Array(length) : new Int32Array(length);
    // Ids are small and non-negative, so an int64 is its low 32-bit word (little-endian, as
    // on every platform onnxruntime-node ships for) and a zero high word: writing through an
    // Int32Array view avoids a BigInt per token.
    const words = new Int32Array(data.buffer);
    const step = input.type === 'int64' ? 2 : 1;
    const pad = input.name === 'input_ids' ? model.padId : 0;
    rows.forEach((row, b) => {
      const source = input.name === 'input_ids' ? row.ids : input.name === 'token_type_ids' ? row.typeIds : null;
      const at = b * sequence;
      for (let t = 0; t < sequence; t++) {
        const real = t < row.ids.length;
        words[(at + t) * step] = !real ? pad : source ? source[t] : 1;
      }
    });
    return { name: input.name, type: input.type, data, dims: [batch, sequence] };
  });
}

function poolOutput(tensor: OutputTensor, rows: readonly EncodedText[], pooling: Pooling): Float32Array[] {
  const { output, mode } = pooling;
  if (tensor.type !== 'float32' || !(tensor.data instanceof Float32Array)) {
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
  const data = tensor.data;
  const dims = shape[shape.length - 1];
  return rows.map((row, i) => {
    const pooled = mode === 'model' ? pooledRow(data, i, dims) : poolTokens({ data, sequence, dims }, i, row.ids.length, mode);
    const unit = unitVector(pooled);
    if (!unit) throw new EmbedError(`model.onnx output ${output} holds non-finite values (NaN or Infinity); the model cannot be used as exported`);
    return unit;
  });
}
