import { describe, expect, it } from 'vitest';
import { choosePooling, poolingFromConfig } from '../../../../src/embed/onnx/choosePooling.js';
import { EmbedError } from '../../../../src/embed/EmbedError.js';

describe('choosePooling', () => {
  it('uses a sentence-vector output as it is', () => {
    expect(choosePooling(['token_embeddings', 'sentence_embedding'])).toMatchObject({ mode: 'model', output: 'sentence_embedding' });
    expect(choosePooling(['last_hidden_state', 'text_embeds'])).toMatchObject({ mode: 'model', output: 'text_embeds' });
  });

  it('mean-pools last_hidden_state or token_embeddings when there is no pooled output', () => {
    expect(choosePooling(['last_hidden_state'])).toMatchObject({ mode: 'mean', output: 'last_hidden_state' });
    expect(choosePooling(['logits', 'token_embeddings'])).toMatchObject({ mode: 'mean', output: 'token_embeddings' });
  });

  it('falls back to the first output', () => {
    expect(choosePooling(['output_0', 'output_1'])).toMatchObject({ mode: 'mean', output: 'output_0' });
  });

  it('uses pooler_output, unless 1_Pooling/config.json says how the model pools', () => {
    expect(choosePooling(['last_hidden_state', 'pooler_output'])).toMatchObject({ mode: 'model', output: 'pooler_output' });
    const config = { word_embedding_dimension: 384, pooling_mode_mean_tokens: true, pooling_mode_cls_token: false };
    expect(choosePooling(['last_hidden_state', 'pooler_output'], { poolingConfig: config })).toMatchObject({
      mode: 'mean',
      output: 'last_hidden_state',
      because: '1_Pooling/config.json',
    });
  });

  it('lets a sentence_embedding output win over 1_Pooling/config.json (the export already pooled)', () => {
    expect(choosePooling(['token_embeddings', 'sentence_embedding'], { poolingConfig: { pooling_mode_cls_token: true } })).toMatchObject({
      mode: 'model',
    });
  });

  it('follows an override', () => {
    expect(choosePooling(['last_hidden_state', 'sentence_embedding'], { override: 'cls' })).toMatchObject({ mode: 'cls', output: 'last_hidden_state' });
    expect(choosePooling(['last_hidden_state', 'pooler_output'], { override: 'model' })).toMatchObject({ mode: 'model', output: 'pooler_output' });
    expect(() => choosePooling(['last_hidden_state'], { override: 'model' })).toThrow(/no pooled output.*outputs are last_hidden_state/);
  });

  it('refuses a model without outputs', () => {
    expect(() => choosePooling([])).toThrow(EmbedError);
  });
});

describe('poolingFromConfig', () => {
  it.each([
    ['pooling_mode_mean_tokens', 'mean'],
    ['pooling_mode_cls_token', 'cls'],
    ['pooling_mode_max_tokens', 'max'],
    ['pooling_mode_lasttoken', 'lasttoken'],
  ])('reads %s', (key, mode) => {
    expect(poolingFromConfig({ word_embedding_dimension: 8, [key]: true, pooling_mode_mean_sqrt_len_tokens: false })).toBe(mode);
  });

  it('refuses combinations, modes it cannot do, and no mode at all', () => {
    expect(() => poolingFromConfig({ pooling_mode_mean_tokens: true, pooling_mode_max_tokens: true })).toThrow(/mean_tokens \+ pooling_mode_max_tokens/);
    expect(() => poolingFromConfig({ pooling_mode_weightedmean_tokens: true })).toThrow(/follows exactly one of/);
    expect(() => poolingFromConfig({})).toThrow(/no pooling mode/);
    expect(() => poolingFromConfig(null)).toThrow(EmbedError);
  });
});
