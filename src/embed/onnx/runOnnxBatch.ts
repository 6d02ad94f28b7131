import { EmbedError } from '../EmbedError.js';
import type { Pooling } from './choosePooling.js';
import type { WorkerTensor } from './onnxWorkerMain.js';
import type { EncodedText } from './OnnxTokenizer.js';
import type { OnnxWorkerSession } from './OnnxWorkerSession.js';
import { unitVector } from './poolVectors.js';

/** The inputs brainsync knows how to fill. */
export const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
export type KnownInput = (typeof KNOWN_INPUTS)[number];

export interface ModelInput {
  name: KnownInput;
  type: 'int64' | 'int32';
}

export interface OnnxBatchModel {
  session: OnnxWorkerSession;
  modelPath: string;
  inputs: readonly ModelInput[];
  pooling: Pooling;
  padId: number;
}

/**
 * Runs one batch: pads every text to the batch's longest (pad id, attention mask 0), runs
 * the model and pools each row over its real tokens (both in the worker), then normalises.
 * One unit vector per row.
 */
export async function runOnnxBatch(model: OnnxBatchModel, rows: readonly EncodedText[], signal?: AbortSignal): Promise<Float32Array[]> {
  const lengths = rows.map((r) => r.ids.length);
  const pooled = await model.session.run(buildFeeds(model, rows), model.pooling, lengths, signal);
  return rows.map((_, i) => {
    const unit = unitVector(pooled.rows.subarray(i * pooled.dims, (i + 1) * pooled.dims));
    if (!unit) {
      throw new EmbedError(`${model.modelPath}: output ${model.pooling.output} holds non-finite values (NaN or Infinity); the model cannot be used as exported`);
    }
    return unit;
  });
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
