// GloVe provider figures: first-use conversion (wall time, peak RSS), cached load, and
// chunks per second on one core. Prints figures, asserts nothing. Run after `npm run build`:
//   node bench/embedGlove.mjs [--chunks 20000] [--pages 2000] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCorpusRepo } from './corpus.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const chunkCount = Number(opt('chunks', '20000'));
const pages = Number(opt('pages', '2000'));
const dist = resolve('dist');
const providerUrl = pathToFileURL(join(dist, 'embed/glove/GloveProvider.js')).href;
const hasTime = existsSync('/usr/bin/time');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Creates the provider in a fresh process; returns its own timing and the peak RSS. */
function loadInChild(cacheDir) {
  const script = `
    const c = process.cpuUsage(); const t = performance.now();
    const { createGloveProvider } = await import(${JSON.stringify(providerUrl)});
    const p = await createGloveProvider({ cacheDir: ${JSON.stringify(cacheDir)} });
    const cpu = process.cpuUsage(c);
    console.log(JSON.stringify({ from: p.loadedFrom, ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000 }));`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '__RSS__ %M', ...node], { encoding: 'utf8' })
    : spawnSync(node[0], node.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const rss = /__RSS__ (\d+)/.exec(r.stderr)?.[1];
  return { ...JSON.parse(r.stdout), rssMb: rss ? Number(rss) / 1024 : null };
}

const fmt = (r) =>
  `${r.ms.toFixed(0)} ms wall (${r.cpuMs.toFixed(0)} ms CPU, module import included), peak RSS ${r.rssMb?.toFixed(0) ?? '?'} MB`;

/** Chunk texts from a generated corpus, cut by brainsync's own chunker. */
async function corpusChunks(dir) {
  const { parsePage } = await import(pathToFileURL(join(dist, 'markdown/parsePage.js')).href);
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

/** Texts of about `size` characters, cut from the concatenated corpus chunks. */
function fixedSize(texts, size, count) {
  const all = texts.join('\n\n');
  return Array.from({ length: count }, (_, i) => {
    const start = (i * 7919) % Math.max(1, all.length - size);
    return all.slice(start, start + size);
  });
}

async function throughput(provider, label, texts) {
  await provider.embed(texts.slice(0, 500)); // warm up the JIT
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < texts.length; i += 256) await provider.embed(texts.slice(i, i + 256));
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(c);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const chars = texts.reduce((n, x) => n + x.length, 0);
  console.log(
    `  ${label}: ${texts.length} chunks, mean ${(chars / texts.length).toFixed(0)} chars: ` +
      `${(texts.length / s).toFixed(0)} chunks/s wall, ${(texts.length / cpuS).toFixed(0)} chunks/s per CPU-second, ` +
      `${(chars / s / 1e6).toFixed(1)} M chars/s`,
  );
}

const work = await mkdtemp(join(tmpdir(), 'brainsync-bench-glove-'));
try {
  const cacheDir = join(work, 'models');
  console.log(`GloVe provider (glove-wink-sg-100d); load average at start: ${load()}`);
  const first = loadInChild(cacheDir);
  console.log(`  first use (${first.from}): ${fmt(first)}`);
  const cached = [1, 2, 3, 4, 5].map(() => loadInChild(cacheDir));
  cached.sort((a, b) => a.ms - b.ms);
  const median = cached[2];
  console.log(`  cached load (${median.from}), median of 5 processes: ${fmt(median)}; fastest ${cached[0].ms.toFixed(0)} ms`);

  const { createGloveProvider } = await import(providerUrl);
  const provider = await createGloveProvider({ cacheDir });
  const texts = await corpusChunks(join(work, 'corpus'));
  const corpus = Array.from({ length: chunkCount }, (_, i) => texts[i % texts.length]);
  await throughput(provider, 'corpus chunks', corpus);
  for (const size of [1000, 1500, 2000]) await throughput(provider, `${size / 1000} KB chunks`, fixedSize(texts, size, chunkCount));
  await provider.close();
  console.log(`load average at end: ${load()}`);
} finally {
  if (!args.includes('--keep')) await rm(work, { recursive: true, force: true });
}
