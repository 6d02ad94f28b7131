import { EmbedError } from '../EmbedError.js';
import { KNOWN_INPUTS, type KnownInput, type ModelInput } from './runOnnxBatch.js';

/**
 * The model's inputs, each one brainsync can fill (input_ids, attention_mask and, when the
 * model declares it, token_type_ids) with the integer type the model declares. A model that
 * wants anything else (position_ids, past key values) is refused up front, not mid-embed.
 */
export function modelInputs(names: readonly string[], types: Readonly<Record<string, string>>): ModelInput[] {
  const unknown = names.filter((n) => !(KNOWN_INPUTS as readonly string[]).includes(n));
  if (unknown.length > 0 || !names.includes('input_ids')) {
    throw new EmbedError(
      `model.onnx takes inputs ${names.join(', ')}; the onnx provider feeds input_ids, attention_mask and token_type_ids ` +
        '(export a feature-extraction / sentence-similarity model)',
    );
  }
  return names.map((name) => {
    // Older onnxruntime-node versions do not report input types; then assume the usual int64.
    const type = types[name] ?? 'int64';
    if (type !== 'int64' && type !== 'int32') {
      throw new EmbedError(`model.onnx input ${name} is ${type}; the onnx provider feeds int64 or int32 token ids`);
    }
    return { name: name as KnownInput, type };
  });
}
