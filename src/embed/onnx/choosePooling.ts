import { EmbedError } from '../EmbedError.js';

/** How token vectors become one text vector; 'model' means the model's own pooled output. */
export type PoolingMode = 'model' | 'mean' | 'cls' | 'max' | 'lasttoken';

export interface Pooling {
  mode: PoolingMode;
  /** The model output read: a [batch, dims] output for 'model', [batch, sequence, dims] otherwise. */
  output: string;
  /** Why this choice, for --debug and the fingerprint's readers. */
  because: string;
}

/** Outputs that sentence-transformers, optimum and CLIP-style exports use for a finished text vector. */
export const SENTENCE_OUTPUTS = ['sentence_embedding', 'sentence_embeddings', 'text_embeds'];
/** Per-token outputs, by the names exporters give them. */
export const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];

/** sentence-transformers' 1_Pooling/config.json keys this provider can follow. */
const POOLING_KEYS: Record<string, PoolingMode> = {
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_cls_token: 'cls',
  pooling_mode_max_tokens: 'max',
  pooling_mode_lasttoken: 'lasttoken',
};

/**
 * Picks the output and the pooling, in this order:
 * 1. `override` (mean | cls | max | lasttoken over the token output, or 'model');
 * 2. an output named like a finished sentence vector (sentence_embedding, text_embeds);
 * 3. the model directory's sentence-transformers `1_Pooling/config.json`: it says how the
 *    model was trained to be pooled, which beats a BERT `pooler_output` (a [CLS] projection
 *    trained for next-sentence prediction, not for similarity);
 * 4. `pooler_output` when the model has one;
 * 5. masked mean over last_hidden_state / token_embeddings, else over the first output.
 */
export function choosePooling(outputNames: readonly string[], opts: { override?: PoolingMode; poolingConfig?: unknown } = {}): Pooling {
  if (outputNames.length === 0) throw new EmbedError('model.onnx has no outputs');
  const tokenOutput = TOKEN_OUTPUTS.find((n) => outputNames.includes(n)) ?? outputNames[0];
  const sentenceOutput = SENTENCE_OUTPUTS.find((n) => outputNames.includes(n));
  const pooledOutput = sentenceOutput ?? (outputNames.includes('pooler_output') ? 'pooler_output' : undefined);
  if (opts.override === 'model') {
    if (!pooledOutput) {
      throw new EmbedError(`model.onnx has no pooled output (${[...SENTENCE_OUTPUTS, 'pooler_output'].join(', ')}); its outputs are ${outputNames.join(', ')}`);
    }
    return { mode: 'model', output: pooledOutput, because: 'asked for' };
  }
  if (opts.override) return { mode: opts.override, output: tokenOutput, because: 'asked for' };
  if (sentenceOutput) return { mode: 'model', output: sentenceOutput, because: `the model outputs ${sentenceOutput}` };
  if (opts.poolingConfig !== undefined) {
    return { mode: poolingFromConfig(opts.poolingConfig), output: tokenOutput, because: '1_Pooling/config.json' };
  }
  if (pooledOutput) return { mode: 'model', output: pooledOutput, because: `the model outputs ${pooledOutput}` };
  return { mode: 'mean', output: tokenOutput, because: 'the default for a model without a pooled output' };
}

/** The one pooling a sentence-transformers Pooling config switches on. */
export function poolingFromConfig(config: unknown): PoolingMode {
  const on = Object.entries((config ?? {}) as Record<string, unknown>)
    .filter(([key, value]) => key.startsWith('pooling_mode_') && value === true)
    .map(([key]) => key);
  const known = on.map((key) => POOLING_KEYS[key]);
  if (on.length !== 1 || known[0] === undefined) {
    throw new EmbedError(
      `1_Pooling/config.json switches on ${on.length ? on.join(' + ') : 'no pooling mode'}; ` +
        `the onnx provider follows exactly one of ${Object.keys(POOLING_KEYS).join(', ')}`,
    );
  }
  return known[0];
}
