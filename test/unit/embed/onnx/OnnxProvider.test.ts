import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmbedError } from '../../../../src/embed/EmbedError.js';
import { createOnnxProvider, type OnnxProviderOptions } from '../../../../src/embed/onnx/createOnnxProvider.js';
import type { OnnxProvider } from '../../../../src/embed/onnx/OnnxProvider.js';
import { describeEmbeddingProviderContract } from '../../../helpers/embeddingProviderContract.js';
import { maxAbsDiff, referenceIds, referenceVector, writeTinyModel, type TinyModel, type TinyModelOptions } from '../../../helpers/tinyOnnxReference.js';

// Tiny models written in this process by bench/tinyOnnxModel.mjs (an embedding table behind a
// BERT-style WordPiece tokenizer), loaded through the production loader and checked against
// the same computation in plain JavaScript.
const root = mkdtempSync(join(tmpdir(), 'brainsync-onnx-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let made = 0;
const tinyModel = (opts: TinyModelOptions = {}) => writeTinyModel(join(root, `model-${++made}`), opts);
const load = (m: TinyModel, opts: Partial<OnnxProviderOptions> = {}) => createOnnxProvider({ dir: m.dir, device: 'cpu', ...opts });

const texts = [
  'The cat sat on the mat.',
  'backups of the database',
  'A recipe for soup, and the football match!',
  'the dog bit the man',
  'zebra quokka: unknown words become one unknown token each',
  '',
  'recovering tables from last night',
];

describeEmbeddingProviderContract('onnx', async () => load(await tinyModel()));

describe('onnx provider on a generated model', () => {
  let m: TinyModel;
  let provider: OnnxProvider;
  beforeAll(async () => {
    m = await tinyModel();
    provider = await load(m);
  });
  afterAll(() => provider.close());

  it('describes the model: name, dimensions, sequence length, pooling, CPU', () => {
    expect(provider.name).toBe('onnx');
    expect(provider.model).toBe(basename(m.dir)); // the directory's name
    expect(provider.dimensions).toBe(16);
    expect(provider.maxTokens).toBe(32);
    expect(provider.maxInputChars).toBe(32 * 32);
    expect(provider.pooling).toMatchObject({ mode: 'mean', output: 'last_hidden_state' });
    expect(provider.executionProvider).toBe('cpu');
    expect(provider.notice).toBeNull();
    expect(provider.modelBytes).toBe(m.modelBytes);
  });

  it('matches a pure-JS masked mean over the same table within 1e-5, in one padded batch', async () => {
    const vectors = await provider.embed(texts);
    texts.forEach((text, i) => expect(maxAbsDiff(vectors[i], referenceVector(referenceIds(text, m), m, 'mean'))).toBeLessThan(1e-5));
  });

  it('cuts a long text to the model length from tokenizer.json, keeping [CLS] and [SEP]', async () => {
    const long = Array.from({ length: 200 }, (_, i) => ['cat', 'dog', 'soup', 'server'][i % 4]).join(' ');
    const [v] = await provider.embed([long]);
    const ids = referenceIds(long, m);
    expect(ids).toHaveLength(32);
    expect(maxAbsDiff(v, referenceVector(ids, m, 'mean'))).toBeLessThan(1e-5);
    const [first30] = await provider.embed([long.split(' ').slice(0, 30).join(' ')]);
    expect(maxAbsDiff(v, first30)).toBeLessThan(1e-6);
  });

  it('gives the same vectors whatever the batch size, and with calls in flight at once', async () => {
    const many = Array.from({ length: 40 }, (_, i) => texts[i % texts.length] + ' cat'.repeat(i % 9));
    const together = await provider.embed(many);
    provider.batchTokens = 24; // smaller than most texts: one text per model call
    try {
      const apart = await provider.embed(many);
      many.forEach((_, i) => expect(maxAbsDiff(apart[i], together[i])).toBeLessThan(1e-6));
      // Calls in flight at once share the worker without mixing their batches.
      const [first, second] = await Promise.all([provider.embed(many.slice(0, 20)), provider.embed(many.slice(20))]);
      [...first, ...second].forEach((v, i) => expect(maxAbsDiff(v, together[i])).toBeLessThan(1e-6));
    } finally {
      provider.batchTokens = 8192;
    }
  });

  it('lets timers run while it tokenises a large batch, and stops when the signal aborts', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `${texts[i % texts.length]} page ${i}`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('budget spent')), 20);
    try {
      await expect(provider.embed(big, { signal: controller.signal })).rejects.toThrow('budget spent');
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('refuses to embed once closed', async () => {
    const closed = await load(m);
    await closed.close();
    await expect(closed.embed(['text'])).rejects.toThrow(EmbedError);
  });
});

describe('onnx provider: what it reads from the model directory', () => {
  it('takes the sequence length from tokenizer_config.json, else 512', async () => {
    const fromConfig = await tinyModel({ maxLength: 12, maxLengthIn: 'config' });
    const none = await tinyModel({ maxLengthIn: 'none' });
    const a = await load(fromConfig);
    const b = await load(none);
    try {
      expect(a.maxTokens).toBe(12);
      expect(b.maxTokens).toBe(512);
      const long = 'cat dog '.repeat(400);
      const [va] = await a.embed([long]);
      const [vb] = await b.embed([long]);
      expect(maxAbsDiff(va, referenceVector(referenceIds(long, fromConfig, 12), fromConfig, 'mean'))).toBeLessThan(1e-5);
      expect(maxAbsDiff(vb, referenceVector(referenceIds(long, none, 512), none, 'mean'))).toBeLessThan(1e-5);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('feeds token_type_ids when the model declares them, and int32 ids when it asks for int32', async () => {
    for (const opts of [{ tokenTypeIds: true }, { idType: 'int32' as const }, { tokenTypeIds: true, idType: 'int32' as const }]) {
      const m = await tinyModel(opts);
      const p = await load(m);
      try {
        const vectors = await p.embed(texts);
        texts.forEach((t, i) => expect(maxAbsDiff(vectors[i], referenceVector(referenceIds(t, m), m, 'mean'))).toBeLessThan(1e-5));
      } finally {
        await p.close();
      }
    }
  });

  it('uses the model’s own pooled output when it has one', async () => {
    const m = await tinyModel({ output: 'pooled', tokenTypeIds: true });
    const own = await load(m);
    const overMax = await load(m, { pooling: 'max' });
    const overMean = await load(m, { pooling: 'mean' });
    try {
      expect(own.pooling).toMatchObject({ mode: 'model', output: 'sentence_embedding' });
      const [a, b, c] = await Promise.all([own.embed(texts), overMax.embed(texts), overMean.embed(texts)]);
      texts.forEach((t, i) => {
        const ids = referenceIds(t, m);
        expect(maxAbsDiff(a[i], referenceVector(ids, m, 'max'))).toBeLessThan(1e-5); // the model's masked max
        expect(maxAbsDiff(b[i], a[i])).toBeLessThan(1e-6); // the provider's own max pooling agrees
        expect(maxAbsDiff(c[i], referenceVector(ids, m, 'mean'))).toBeLessThan(1e-5);
      });
      expect(maxAbsDiff(a[0], c[0])).toBeGreaterThan(1e-2);
      expect(new Set([own.fingerprint, overMax.fingerprint, overMean.fingerprint]).size).toBe(3);
    } finally {
      await Promise.all([own.close(), overMax.close(), overMean.close()]);
    }
  });

  it('prefers 1_Pooling/config.json over a BERT pooler_output', async () => {
    const m = await tinyModel({ output: 'pooled', pooledName: 'pooler_output' });
    const withPooler = await load(m);
    await mkdir(join(m.dir, '1_Pooling'));
    await writeFile(join(m.dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 16, pooling_mode_cls_token: true }));
    const withConfig = await load(m);
    try {
      expect(withPooler.pooling).toMatchObject({ mode: 'model', output: 'pooler_output' });
      expect(withConfig.pooling).toMatchObject({ mode: 'cls', output: 'last_hidden_state' });
      const [v] = await withConfig.embed(['the cat']);
      expect(maxAbsDiff(v, referenceVector(referenceIds('the cat', m), m, 'cls'))).toBeLessThan(1e-5);
      expect(withConfig.fingerprint).not.toBe(withPooler.fingerprint);
    } finally {
      await withPooler.close();
      await withConfig.close();
    }
  });

  it('fingerprints the weights, the tokenizer and the settings', async () => {
    const a = await tinyModel({ seed: 1 });
    const sameBytes = await tinyModel({ seed: 1 });
    const otherWeights = await tinyModel({ seed: 2 });
    const otherLength = await tinyModel({ seed: 1, maxLength: 16 });
    const prints = [];
    for (const m of [a, sameBytes, otherWeights, otherLength]) {
      const p = await load(m);
      prints.push(p.fingerprint);
      await p.close();
    }
    expect(prints[0]).toBe(prints[1]);
    expect(new Set(prints).size).toBe(3);
  });
});

describe('onnx provider: clear errors', () => {
  it('names the missing file and what the directory needs', async () => {
    const m = await tinyModel();
    await expect(createOnnxProvider({ dir: join(root, 'nope') })).rejects.toThrow(/nope\/model\.onnx not found: the onnx provider needs a directory with model\.onnx and tokenizer\.json/);
    await rm(join(m.dir, 'tokenizer.json'));
    await expect(load(m)).rejects.toThrow(EmbedError);
    await expect(load(m)).rejects.toThrow(/tokenizer\.json not found/);
  });

  it('says how to install onnxruntime-node when it is missing, and when it is broken', async () => {
    const m = await tinyModel();
    const missing = Object.assign(new Error("Cannot find module 'onnxruntime-node'"), { code: 'MODULE_NOT_FOUND' });
    const err = await load(m, {
      resolveRuntime: () => {
        throw missing;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as Error).message).toMatch(/needs the onnxruntime-node package, which is not installed: install it next to brainsync: `npm install onnxruntime-node`/);
    expect((err as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    // A runtime whose native library does not load: the worker reports it and stops.
    const broken = join(root, 'broken-runtime.cjs');
    await writeFile(broken, "throw new Error('libonnxruntime.so.1: cannot open shared object file');\n");
    await expect(load(m, { resolveRuntime: () => broken })).rejects.toThrow(/installed but could not be loaded \(libonnxruntime\.so\.1: cannot open/);
  });

  it('refuses a batch size that is not a whole number of tokens', async () => {
    const m = await tinyModel();
    await expect(load(m, { batchTokens: 0 })).rejects.toThrow(/batch tokens must be a whole number above 0, not 0/);
  });

  it('refuses a file that is not an ONNX model', async () => {
    const m = await tinyModel();
    await writeFile(join(m.dir, 'model.onnx'), 'not a model');
    await expect(load(m)).rejects.toThrow(/model\.onnx: onnxruntime cannot load this model/);
  });

  it('refuses a model that wants inputs it cannot fill', async () => {
    const m = await tinyModel({ extraInputs: ['position_ids'] });
    await expect(load(m)).rejects.toThrow(/takes inputs input_ids, attention_mask, position_ids; the onnx provider feeds/);
  });

  it('refuses an output that does not have the shape its name promises', async () => {
    const m = await tinyModel({ hiddenName: 'sentence_embedding' }); // per-token vectors under a pooled name
    await expect(load(m)).rejects.toThrow(/model\.onnx: output sentence_embedding has shape \[1, 2, 16\], expected \[1, dims\] for model pooling/);
    const p = await load(m, { pooling: 'mean' }); // told how to read it, it works
    await p.close();
  });

  it('refuses a tokenizer.json that is not JSON', async () => {
    const m = await tinyModel();
    await writeFile(join(m.dir, 'tokenizer.json'), '{"model": ');
    await expect(load(m)).rejects.toThrow(/tokenizer\.json is not valid JSON/);
  });
});

describe('onnx provider: CUDA', () => {
  // No GPU and no CUDA libraries here (onnxruntime-node installed without its CUDA download):
  // asking for CUDA must fall back to the CPU with one notice, and embed the same.
  it.each(['auto', 'cuda'] as const)('falls back to the CPU with a one-line notice (device %s)', async (device) => {
    const m = await tinyModel();
    const onNotice = vi.fn();
    const p = await load(m, { device, onNotice });
    const cpu = await load(m);
    try {
      expect(p.executionProvider).toBe('cpu');
      expect(p.notice).toMatch(/^onnx: CUDA is not available \(.+\); running .+\/model\.onnx on the CPU$/);
      expect(p.notice).not.toContain('\n');
      expect(onNotice.mock.calls).toEqual([[p.notice]]);
      const [a, b] = [await p.embed(texts), await cpu.embed(texts)];
      texts.forEach((_, i) => expect(maxAbsDiff(a[i], b[i])).toBe(0));
      expect(p.fingerprint).toBe(cpu.fingerprint);
    } finally {
      await p.close();
      await cpu.close();
    }
  });
});

describe('the sync side never loads a model runtime', () => {
  // Value imports of these packages would load them with the module; `import type` is erased.
  it('imports onnxruntime-node and the tokenizer only as types or dynamically', async () => {
    const src = join(import.meta.dirname, '../../../../src');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8');
      for (const line of text.split('\n')) {
        if (/from '(onnxruntime-node|onnxruntime-common|@huggingface\/tokenizers)'/.test(line) && !/^import type /.test(line)) offenders.push(`${file}: ${line}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('onnx provider: the event loop', () => {
  // onnxruntime-node runs a batch synchronously on the thread that calls it; the provider
  // calls it in a worker thread, so a long batch does not stop timers (budget, heartbeat).
  it('keeps timers running while the model works on a long batch', async () => {
    const m = await tinyModel({ dims: 256, matmuls: 24, maxLength: 256 });
    const p = await load(m, { batchTokens: 1_000_000, threads: 1 }); // one thread: slow on any machine
    try {
      const texts = Array.from({ length: 64 }, (_, i) => 'the cat sat on the mat '.repeat(40) + i);
      let last = performance.now();
      let longestGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 5);
      const started = performance.now();
      const vectors = await p.embed(texts); // one model call: 64 × 256 tokens
      const took = performance.now() - started;
      clearInterval(timer);
      longestGap = Math.max(longestGap, performance.now() - last); // a loop blocked to the end never ticked
      expect(vectors).toHaveLength(64);
      expect(took).toBeGreaterThan(200); // slow enough for a blocked loop to show
      expect(longestGap).toBeLessThan(took / 2);
      const ids = referenceIds(texts[0], m, 256);
      expect(maxAbsDiff(vectors[0], referenceVector(ids, m, 'mean'))).toBeLessThan(1e-5);
    } finally {
      await p.close();
    }
  });

  it('rejects at once when the signal aborts during a model call, and stays usable', async () => {
    const m = await tinyModel({ dims: 256, matmuls: 24, maxLength: 256 });
    const p = await load(m, { batchTokens: 1_000_000 });
    try {
      const texts = Array.from({ length: 64 }, (_, i) => 'the cat sat on the mat '.repeat(40) + i);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('budget spent')), 30);
      await expect(p.embed(texts, { signal: controller.signal })).rejects.toThrow('budget spent');
      expect(await p.embed(['the cat'])).toHaveLength(1);
    } finally {
      await p.close();
    }
  });
});
