// onnx provider figures on a generated tiny model (an embedding table behind a WordPiece
// tokenizer, see tinyOnnxModel.mjs): load time, chunks per second through the whole provider,
// and the tokenizer's own ceiling. The model does almost no arithmetic, so these figures are
// the provider's overhead (tokenising, padding, tensors, pooling), not what a real
// transformer achieves. Also prints the batch token budget this machine gets. Prints figures,
// asserts nothing. Run after `npm run build`:
//   node bench/embedOnnx.mjs [--chunks 20000] [--pages 2000] [--dims 384] [--max-length 256] [--threads N] [--keep]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCorpusRepo } from './corpus.mjs';
import { writeTinyModel } from './tinyOnnxModel.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const chunkCount = Number(opt('chunks', '20000'));
const pages = Number(opt('pages', '2000'));
const dims = Number(opt('dims', '384'));
const maxLength = Number(opt('max-length', '256'));
const threads = opt('threads') === undefined ? undefined : Number(opt('threads'));
const dist = resolve('dist');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const mod = (p) => import(pathToFileURL(join(dist, p)).href);

/** Chunk texts from a generated corpus, cut by brainsync's own chunker. */
async function corpusChunks(dir) {
  const { parsePage } = await mod('markdown/parsePage.js');
  await createCorpusRepo(dir, { pages, seed: 7 });
  const texts = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const parsed = parsePage(relative(dir, file), await readFile(file));
    if (parsed.ok) texts.push(...parsed.page.chunks.map((c) => c.text));
  }
  return texts;
}

function rate(label, count, ms, cpu, extra = '') {
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`  ${label}: ${count} chunks in ${(ms / 1000).toFixed(2)} s: ${(count / (ms / 1000)).toFixed(0)} chunks/s wall, ` +
    `${(count / cpuS).toFixed(0)} chunks/s per CPU-second${extra}`);
}

async function timed(fn) {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t, cpu: process.cpuUsage(c) };
}

const work = await mkdtemp(join(tmpdir(), 'brainsync-bench-onnx-'));
try {
  console.log(`onnx provider, tiny generated model (${dims} dims, ${maxLength} tokens max); load average at start: ${load()}`);
  const model = await writeTinyModel(join(work, 'model'), { dims, maxLength });
  const { createOnnxProvider } = await mod('embed/onnx/createOnnxProvider.js');
  const { loadOnnxTokenizer } = await mod('embed/onnx/OnnxTokenizer.js');
  const created = await timed(() => createOnnxProvider({ dir: model.dir, device: 'cpu', threads }));
  const provider = created.value;
  console.log(`  load (runtime import, session, fingerprint, probe): ${created.ms.toFixed(0)} ms; model.onnx ${(model.modelBytes / 1024).toFixed(0)} KiB`);

  const texts = await corpusChunks(join(work, 'corpus'));
  const corpus = Array.from({ length: chunkCount }, (_, i) => texts[i % texts.length]);
  const chars = corpus.reduce((n, t) => n + t.length, 0);
  console.log(`  corpus: ${corpus.length} chunks, mean ${(chars / corpus.length).toFixed(0)} chars`);

  const tokenizer = await loadOnnxTokenizer(model.dir);
  const tok = await timed(() => corpus.map((t) => tokenizer.encode(t.slice(0, provider.maxInputChars)).ids.length));
  const tokens = tok.value.reduce((a, b) => a + b, 0);
  rate('tokenizer only', corpus.length, tok.ms, tok.cpu, `, mean ${(tokens / corpus.length).toFixed(0)} tokens (cut at ${maxLength})`);

  await provider.embed(corpus.slice(0, 500)); // warm up the JIT and the session
  for (const batch of [64, 256]) {
    const run = await timed(async () => {
      for (let i = 0; i < corpus.length; i += batch) await provider.embed(corpus.slice(i, i + batch));
    });
    rate(`provider, embed() calls of ${batch}, ${provider.batchTokens} tokens per model call`, corpus.length, run.ms, run.cpu);
  }
  // Two calls in flight: the main thread tokenises one while the worker runs the other.
  const overlapped = await timed(async () => {
    const inFlight = new Set();
    for (let i = 0; i < corpus.length; i += 256) {
      const call = provider.embed(corpus.slice(i, i + 256)).finally(() => inFlight.delete(call));
      inFlight.add(call);
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  });
  rate('provider, embed() calls of 256, two in flight', corpus.length, overlapped.ms, overlapped.cpu);
  await provider.close();

  const { batchTokenBudget } = await mod('embed/gpu/batchTokenBudget.js');
  const budget = await batchTokenBudget({ model: { bytes: model.modelBytes, maxSequenceTokens: maxLength, hiddenSize: dims } });
  console.log(`  batch token budget here: ${budget.tokens} (${budget.basis}: ${budget.reason})`);
  console.log(`load average at end: ${load()}`);
} finally {
  if (!args.includes('--keep')) await rm(work, { recursive: true, force: true });
}
