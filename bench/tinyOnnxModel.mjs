// A tiny ONNX "sentence embedding model" and its tokenizer, for the onnx provider's tests and
// bench. Plain JavaScript ES module, Node 20, no dependencies: the ONNX protobuf is encoded by
// hand (field numbers from onnx/onnx.proto), because the model is a handful of nodes.
//
//   import { writeTinyModel } from './bench/tinyOnnxModel.mjs';
//   const m = await writeTinyModel('/tmp/model', { output: 'hidden', dims: 16 });
//   // m.table, m.vocab, m.ids: what a pure-JS reference needs to recompute the vectors
//
// The model is an embedding table: last_hidden_state[b, s] = E[input_ids[b, s]]
// (+ T[token_type_ids[b, s]] when `tokenTypeIds`). With `output: 'pooled'` it also outputs
// `sentence_embedding` = the masked max over the sequence (a pooling the provider does not
// do itself, so a test can tell which output was used). The tokenizer is BERT-style
// WordPiece over whole words (lower-cased, split on whitespace and punctuation, [CLS] … [SEP]).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mulberry32 } from './corpus.mjs';

export const tinyVocabularyWords = [
  'the', 'a', 'of', 'on', 'for', 'from', 'to', 'and', 'in', 'is', 'every', 'last',
  'cat', 'sat', 'mat', 'dog', 'man', 'bit', 'backups', 'database', 'recipe', 'soup',
  'football', 'match', 'server', 'stores', 'nightly', 'recovering', 'tables', 'night',
  'dump', 'text', 'notes', 'search', 'brain', 'sync', 'page', 'chunk', 'model', 'vector',
  'x', 's', '.', ',', '!', '?', "'", '’', ':', '-',
];
const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * Writes `model.onnx` and `tokenizer.json` (and `tokenizer_config.json` when `maxLengthIn` is
 * 'config') into `dir`. Options: dims (16), seed (1), output ('hidden' | 'pooled'),
 * hiddenName ('last_hidden_state'), pooledName ('sentence_embedding'), tokenTypeIds (false),
 * idType ('int64' | 'int32'), maxLength (32), maxLengthIn ('tokenizer' | 'config' | 'none'),
 * extraInputs ([]: more declared inputs, unused by the graph, e.g. 'position_ids'),
 * matmuls (0: multiplications of the hidden states by the identity matrix — the same vectors,
 * dims² multiply-adds per token each, to make the model as slow as a test needs).
 */
export async function writeTinyModel(dir, opts = {}) {
  const o = {
    dims: 16, seed: 1, output: 'hidden', hiddenName: 'last_hidden_state', pooledName: 'sentence_embedding',
    tokenTypeIds: false, idType: 'int64', maxLength: 32, maxLengthIn: 'tokenizer', extraInputs: [], matmuls: 0, ...opts,
  };
  const vocab = [...specials, ...tinyVocabularyWords];
  const rand = mulberry32(o.seed);
  const table = Float32Array.from({ length: vocab.length * o.dims }, () => rand() * 2 - 1);
  const typeTable = Float32Array.from({ length: 2 * o.dims }, () => rand() * 2 - 1);
  await mkdir(dir, { recursive: true });
  const model = encodeModel(buildGraph(o, vocab.length, table, typeTable));
  await writeFile(path.join(dir, 'model.onnx'), model);
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab, o), null, 2));
  if (o.maxLengthIn === 'config') {
    await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: o.maxLength }));
  }
  const ids = { pad: 0, unk: 1, cls: 2, sep: 3 };
  return { dir, vocab, table, typeTable: o.tokenTypeIds ? typeTable : null, dims: o.dims, maxLength: o.maxLength, ids, modelBytes: model.length };
}

function tokenizerJson(vocab, o) {
  const special = (id) => ({ id, content: vocab[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const sp = (name, id) => ({ id: name, ids: [id], tokens: [name] });
  return {
    version: '1.0',
    truncation: o.maxLengthIn === 'tokenizer' ? { direction: 'Right', max_length: o.maxLength, strategy: 'LongestFirst', stride: 0 } : null,
    padding: null,
    added_tokens: specials.map((_, id) => special(id)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': sp('[CLS]', 2), '[SEP]': sp('[SEP]', 3) },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
    },
  };
}

// ---------------------------------------------------------------------------
// The graph, as plain objects that encodeModel turns into protobuf.

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;

function buildGraph(o, vocabSize, table, typeTable) {
  const idElem = o.idType === 'int32' ? INT32 : INT64;
  const seqInput = (name) => ({ name, elem: idElem, shape: ['batch', 'sequence'] });
  const inputs = [seqInput('input_ids'), seqInput('attention_mask')];
  const initializers = [{ name: 'embeddings', dims: [vocabSize, o.dims], floats: table }];
  const nodes = [];
  const hidden = o.hiddenName;
  const embedded = o.matmuls > 0 ? 'embedded_0' : hidden;
  if (o.tokenTypeIds) {
    inputs.push(seqInput('token_type_ids'));
    initializers.push({ name: 'token_types', dims: [2, o.dims], floats: typeTable });
    nodes.push(node('Gather', ['embeddings', 'input_ids'], ['words']));
    nodes.push(node('Gather', ['token_types', 'token_type_ids'], ['types']));
    nodes.push(node('Add', ['words', 'types'], [embedded]));
  } else {
    nodes.push(node('Gather', ['embeddings', 'input_ids'], [embedded]));
  }
  if (o.matmuls > 0) {
    const identity = new Float32Array(o.dims * o.dims);
    for (let d = 0; d < o.dims; d++) identity[d * o.dims + d] = 1;
    initializers.push({ name: 'identity', dims: [o.dims, o.dims], floats: identity });
    for (let k = 0; k < o.matmuls; k++) {
      nodes.push(node('MatMul', [`embedded_${k}`, 'identity'], [k === o.matmuls - 1 ? hidden : `embedded_${k + 1}`]));
    }
  }
  for (const name of o.extraInputs) inputs.push(seqInput(name));
  const outputs = [{ name: hidden, elem: FLOAT, shape: ['batch', 'sequence', o.dims] }];
  if (o.output === 'pooled') {
    // Masked max over the sequence: padding gets -1e4 added so it never wins.
    initializers.push({ name: 'axis2', dims: [1], int64s: [2n] });
    initializers.push({ name: 'one', dims: [], floats: Float32Array.of(1) });
    initializers.push({ name: 'big', dims: [], floats: Float32Array.of(1e4) });
    nodes.push(node('Cast', ['attention_mask'], ['mask_f'], [{ name: 'to', int: FLOAT }]));
    nodes.push(node('Unsqueeze', ['mask_f', 'axis2'], ['mask3']));
    nodes.push(node('Sub', ['mask3', 'one'], ['mask_m1']));
    nodes.push(node('Mul', ['mask_m1', 'big'], ['penalty']));
    nodes.push(node('Add', [hidden, 'penalty'], ['masked']));
    nodes.push(node('ReduceMax', ['masked'], [o.pooledName], [{ name: 'axes', ints: [1] }, { name: 'keepdims', int: 0 }]));
    outputs.push({ name: o.pooledName, elem: FLOAT, shape: ['batch', o.dims] });
  }
  return { name: 'tiny-embedding', nodes, initializers, inputs, outputs };
}

const node = (op, input, output, attributes = []) => ({ op, input, output, attributes });

// ---------------------------------------------------------------------------
// Protobuf wire format: just what the messages above need.

function encodeModel(graph) {
  return message([
    varintField(1, 8), // ir_version
    stringField(2, 'brainsync-test'), // producer_name
    messageField(7, encodeGraph(graph)),
    messageField(8, message([stringField(1, ''), varintField(2, 13)])), // opset_import: ai.onnx 13
  ]);
}

function encodeGraph(g) {
  return message([
    ...g.nodes.map((n) => messageField(1, encodeNode(n))),
    stringField(2, g.name),
    ...g.initializers.map((t) => messageField(5, encodeTensor(t))),
    ...g.inputs.map((v) => messageField(11, encodeValueInfo(v))),
    ...g.outputs.map((v) => messageField(12, encodeValueInfo(v))),
  ]);
}

function encodeNode(n) {
  return message([
    ...n.input.map((s) => stringField(1, s)),
    ...n.output.map((s) => stringField(2, s)),
    stringField(3, `${n.op}_${n.output[0]}`),
    stringField(4, n.op),
    ...n.attributes.map((a) => messageField(5, encodeAttribute(a))),
  ]);
}

function encodeAttribute(a) {
  // AttributeProto.type: INT = 2, INTS = 7.
  if (a.ints) return message([stringField(1, a.name), ...a.ints.map((i) => varintField(8, i)), varintField(20, 7)]);
  return message([stringField(1, a.name), varintField(3, a.int), varintField(20, 2)]);
}

function encodeTensor(t) {
  const raw = t.floats ? new Uint8Array(t.floats.buffer, t.floats.byteOffset, t.floats.byteLength) : int64Bytes(t.int64s);
  return message([
    ...t.dims.map((d) => varintField(1, d)),
    varintField(2, t.floats ? FLOAT : INT64),
    stringField(8, t.name),
    bytesField(9, raw), // raw_data: little-endian, as Float32Array/BigInt64Array are here
  ]);
}

function int64Bytes(values) {
  const a = BigInt64Array.from(values);
  return new Uint8Array(a.buffer);
}

function encodeValueInfo(v) {
  const dims = v.shape.map((d) => messageField(1, typeof d === 'number' ? message([varintField(1, d)]) : message([stringField(2, d)])));
  const tensorType = message([varintField(1, v.elem), messageField(2, message(dims))]);
  return message([stringField(1, v.name), messageField(2, message([messageField(1, tensorType)]))]);
}

function message(fields) {
  return Buffer.concat(fields);
}

function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}

const key = (field, wireType) => varint((field << 3) | wireType);
const varintField = (field, value) => Buffer.concat([key(field, 0), varint(value)]);
const bytesField = (field, bytes) => Buffer.concat([key(field, 2), varint(bytes.length), Buffer.from(bytes)]);
const stringField = (field, s) => bytesField(field, Buffer.from(s, 'utf8'));
const messageField = bytesField;
