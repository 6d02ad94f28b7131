import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbedError } from '../../../../src/embed/EmbedError.js';
import { loadOnnxTokenizer } from '../../../../src/embed/onnx/OnnxTokenizer.js';
import { writeTinyModel } from '../../../helpers/tinyOnnxReference.js';

const root = mkdtempSync(join(tmpdir(), 'brainsync-onnx-tok-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let made = 0;

/** The tiny model's tokenizer files, tokenizer.json edited by `edit`. */
async function tokenizerDir(edit: (json: Record<string, unknown>) => void = () => {}, config?: object): Promise<string> {
  const { dir } = await writeTinyModel(join(root, `t-${++made}`), { maxLength: 8 });
  const json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  edit(json);
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
  if (config) await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

// Ids in the tiny vocabulary: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, the 5, a 6, … cat 17, sat 18, on 8.
describe('OnnxTokenizer', () => {
  it('adds [CLS] and [SEP] and cuts the text to fit the model length', async () => {
    const t = await loadOnnxTokenizer(await tokenizerDir());
    expect(t.maxTokens).toBe(8);
    expect(t.maxTokensFrom).toBe('tokenizer.json truncation.max_length');
    expect(t.encode('The cat sat')).toEqual({ ids: [2, 5, 17, 18, 3], typeIds: [0, 0, 0, 0, 0] });
    const long = t.encode('the cat sat on the mat the cat sat on the mat');
    expect(long.ids).toHaveLength(8);
    expect(long.ids.slice(0, 4)).toEqual([2, 5, 17, 18]);
    expect(long.ids[7]).toBe(3);
    expect(t.encode('')).toEqual({ ids: [2, 3], typeIds: [0, 0] });
  });

  it('keeps the end of the text when the tokenizer truncates from the left', async () => {
    const t = await loadOnnxTokenizer(await tokenizerDir((j) => ((j.truncation as { direction: string }).direction = 'Left')));
    const ids = t.encode('mat on the cat sat the cat sat').ids;
    expect(ids).toHaveLength(8);
    expect(ids.slice(-3)).toEqual([17, 18, 3]);
  });

  it('reads model_max_length from tokenizer_config.json, ignoring the "no limit" sentinel', async () => {
    const none = (j: Record<string, unknown>) => (j.truncation = null);
    expect((await loadOnnxTokenizer(await tokenizerDir(none, { model_max_length: 128 }))).maxTokens).toBe(128);
    expect((await loadOnnxTokenizer(await tokenizerDir(none, { model_max_length: 1e30 }))).maxTokens).toBe(512);
    expect((await loadOnnxTokenizer(await tokenizerDir(none))).maxTokensFrom).toBe('the default');
    expect((await loadOnnxTokenizer(await tokenizerDir(), { maxTokens: 5 })).maxTokens).toBe(5);
  });

  it('pads with the pad token tokenizer_config.json names, else [PAD]', async () => {
    expect((await loadOnnxTokenizer(await tokenizerDir())).padId).toBe(0);
    expect((await loadOnnxTokenizer(await tokenizerDir(undefined, { pad_token: '[MASK]' }))).padId).toBe(4);
    expect((await loadOnnxTokenizer(await tokenizerDir(undefined, { pad_token: { content: '[SEP]' } }))).padId).toBe(3);
  });

  it('gives an empty text one token when the tokenizer adds no special tokens', async () => {
    const t = await loadOnnxTokenizer(await tokenizerDir((j) => (j.post_processor = null)));
    expect(t.encode('')).toEqual({ ids: [1], typeIds: [0] });
    expect(t.encode('the cat').ids).toEqual([5, 17]);
  });

  it('refuses a length that leaves no room for text', async () => {
    await expect(loadOnnxTokenizer(await tokenizerDir(), { maxTokens: 2 })).rejects.toThrow(EmbedError);
    await expect(loadOnnxTokenizer(await tokenizerDir(), { maxTokens: 2 })).rejects.toThrow(/leaves no room for text after 2 special tokens/);
  });

  it('refuses a tokenizer model it cannot read', async () => {
    const dir = await tokenizerDir((j) => (j.model = { type: 'Mystery' }));
    await expect(loadOnnxTokenizer(dir)).rejects.toThrow(/tokenizer\.json: not a tokenizer this version can read/);
  });
});
