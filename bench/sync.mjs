// Sync benchmarks: prints figures, asserts nothing. Run `npm run bench` (or node bench/sync.mjs
// after `npm run build`). Options: --pages N (default 10000), --only pglite|postgres,
// --skip-all (skip the 4-source run), --first-only (only the first sync, no 4-source run: for 100K pages),
// --workers 1,4 (Postgres worker counts), --keep (keep temp dirs). Every bench sync is followed
// by a full-compare `brainsync verify`; a brain that does not match its bookmark is reported.
// `npm run bench` (bench/report.mjs) runs this with the other bench scripts into one table.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { changeCorpus, createCorpusRepo } from './corpus.mjs';
import { startPostgres } from './postgres.mjs';
import { figure } from './figures.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const pages = Number(opt('pages', '10000'));
const only = opt('only', null);
const firstOnly = args.includes('--first-only');
const skipAll = firstOnly || args.includes('--skip-all');
const pgWorkers = opt('workers', '1,4').split(',').map(Number);
const root = resolve('.bench');
const cli = resolve('bin/brainsync.js');
const hasTime = existsSync('/usr/bin/time');

/**
 * The embed figures must not include a one-time build of the GloVe cache (the first run after
 * an upgrade that changes its format rebuilds it): make sure it is built, in the models
 * directory the CLI below will use, before anything is measured.
 */
async function warmGloveCache() {
  const { modelsDir } = await import(pathToFileURL(resolve('dist/cli/context.js')).href);
  const { createGloveProvider } = await import(pathToFileURL(resolve('dist/embed/glove/GloveProvider.js')).href);
  const t = performance.now();
  const provider = await createGloveProvider({ cacheDir: modelsDir() });
  await provider.embed(['warm']);
  await provider.close();
  console.log(`GloVe cache ready in ${modelsDir()} (${Math.round(performance.now() - t)} ms)`);
}
await warmGloveCache();

/** Runs the CLI; returns wall seconds, peak RSS (MB, via GNU time when present) and parsed --json. */
function run(db, argv, env = {}) {
  const cmd = hasTime ? '/usr/bin/time' : process.execPath;
  const full = hasTime ? ['-f', '__RSS__ %M', process.execPath, cli, '--db', db, ...argv] : [cli, '--db', db, ...argv];
  const t = performance.now();
  const r = spawnSync(cmd, full, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  const wall = (performance.now() - t) / 1000;
  const rss = /__RSS__ (\d+)/.exec(r.stderr)?.[1];
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  if (r.status !== 0 && r.status !== 3) {
    console.error(`command failed (${r.status}): brainsync ${argv.join(' ')}\n${r.stderr.slice(-2000)}`);
  }
  return { wall, rssMb: rss ? Number(rss) / 1024 : null, json, status: r.status };
}

async function corpus(seed) {
  const dir = join(root, `corpus-${pages}-s${seed}`);
  if (!existsSync(dir)) await createCorpusRepo(dir, { pages, seed });
  return dir;
}

function cloneRepo(src) {
  const dir = mkdtempSync(join(tmpdir(), 'brainsync-bench-repo-'));
  execFileSync('git', ['clone', '-q', '--local', src, dir]);
  return dir;
}

/** A full compare of the brain with the bookmark; a bench figure from a wrong brain is worthless. */
function verify(db, label) {
  const r = run(db, ['--json', 'verify', '--all']);
  const bad = (r.json?.sources ?? []).filter((s) => !s.clean);
  if (r.status !== 0 || bad.length > 0) {
    console.log(`${label}: VERIFY FAILED (exit ${r.status}): ${bad.map((s) => `${s.source}: ${s.message ?? s.status}`).join('; ')}`);
    figure('verify_failed', 1, { label });
  } else console.log(`${label}: verify clean (${r.json.sources.map((s) => s.pages).join('+')} pages match the bookmark)`);
}

function fmt(n, d = 2) {
  return n === null || n === undefined ? 'n/a' : n.toFixed(d);
}

async function benchBackend(label, makeDb, workersList) {
  const src = await corpus(1);
  for (const workers of workersList) {
    const db = await makeDb();
    const repo = cloneRepo(src);
    run(db, ['init', '-q']);
    run(db, ['sources', 'add', 'c', repo, '-q']);
    // The first sync is measured without its embed phase (the import alone); the embedding
    // of the same chunks is measured on its own right after.
    const first = run(db, ['sync', '--source', 'c', '--workers', String(workers), '--no-embed', '--json', '-q']);
    const r = first.json?.sources?.[0];
    const importSec = (r?.timings.totalMs ?? 0) / 1000;
    console.log(`${label} workers=${workers} first sync: ${pages} pages in ${fmt(first.wall)}s wall ` +
      `(${fmt(pages / first.wall, 0)} pages/s incl. start; run ${fmt(importSec)}s = ${fmt(pages / importSec, 0)} pages/s), peak RSS ${fmt(first.rssMb, 0)} MB, status ${r?.status}`);
    figure(`first_${label}_w${workers}`, pages / first.wall, { pages, wall: first.wall, rssMb: first.rssMb });
    verify(db, `${label} workers=${workers} first sync`);
    if (firstOnly || workers !== workersList[0]) continue;
    const emb = run(db, ['embed', '--source', 'c', '--json', '-q']);
    const e = emb.json?.sources?.[0];
    console.log(`${label} embed (glove) of the first sync's chunks: ${e?.embedded} chunks in ${fmt(emb.wall)}s wall ` +
      `(${fmt(e?.embedded / emb.wall, 0)} chunks/s incl. start and model load; phase ${e?.ms} ms = ${fmt(e?.embedded / (e?.ms / 1000), 0)} chunks/s), peak RSS ${fmt(emb.rssMb, 0)} MB`);
    figure(`embed_${label}`, e?.embedded / (e?.ms / 1000), { chunks: e?.embedded, rssMb: emb.rssMb });
    const noop = run(db, ['sync', '--source', 'c', '--json', '-q']);
    console.log(`${label} no-op re-sync: ${fmt(noop.wall)}s wall incl. process start; run itself ${noop.json?.sources?.[0]?.timings.totalMs} ms; peak RSS ${fmt(noop.rssMb, 0)} MB`);
    await changeCorpus(repo, { modify: 100, add: 5, rename: 5, remove: 5, seed: 3 });
    const inc = run(db, ['sync', '--source', 'c', '--json', '-q']);
    const ir = inc.json?.sources?.[0];
    console.log(`${label} 100 edits + 5 adds, 5 renames, 5 deletes: ${fmt(inc.wall)}s wall; run ${ir?.timings.totalMs} ms; imported ${ir?.counts.imported}, ` +
      `renamed ${ir?.counts.renamed}, deleted ${ir?.counts.deleted}; re-embedded ${ir?.counts.embedded} changed chunks in ${ir?.timings.embedMs} ms ` +
      '(model load included; unchanged chunks keep their vectors)');
    figure(`inc_${label}`, inc.wall, { runMs: ir?.timings.totalMs, embedMs: ir?.timings.embedMs, rssMb: inc.rssMb });
    verify(db, `${label} incremental`);
    await resumeCost(label, db, repo);
  }
}

/**
 * Resume cost: a run killed just before its bookmark left every page written. Simulated by
 * moving the bookmark to an empty commit that is an ancestor of the target, so the diff plans
 * every page again and the batched lookup must skip them all without reading any.
 */
async function resumeCost(label, db, repo) {
  const { openDb } = await import('../dist/db/openDb.js');
  const { resolveDbTarget } = await import('../dist/db/target.js');
  const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' }).trim();
  const emptyTree = git('hash-object', '-t', 'tree', '-w', '/dev/null');
  const empty = git('commit-tree', '-m', 'empty', emptyTree);
  git('merge', '-q', '--allow-unrelated-histories', '-s', 'ours', '-m', 'make the empty commit an ancestor', empty);
  const handle = await openDb(resolveDbTarget({ flag: db, env: {} }));
  await handle.query('update sources set bookmark_commit = $1', [empty]);
  await handle.close();
  const r = run(db, ['sync', '--source', 'c', '--json', '-q']);
  const s = r.json?.sources?.[0];
  figure(`resume_${label}`, (s?.timings.totalMs * 1000) / Math.max(1, s?.counts.skipped), { skipped: s?.counts.skipped });
  console.log(`${label} resume with ${s?.counts.skipped} pages already written: run ${s?.timings.totalMs} ms ` +
    `(${fmt((s?.timings.totalMs * 1000) / Math.max(1, s?.counts.skipped), 1)} µs per skipped page; ${s?.counts.read} blobs read)`);
}

async function benchAll(label, makeDb) {
  const db = await makeDb();
  run(db, ['init', '-q']);
  for (let seed = 1; seed <= 4; seed++) run(db, ['sources', 'add', `c${seed}`, cloneRepo(await corpus(seed)), '-q']);
  const r = run(db, ['sync', '--all', '--no-embed', '--json', '-q']);
  const statuses = r.json?.sources?.map((s) => s.status).join(',');
  console.log(`${label} --all over 4 sources of ${pages} pages: ${fmt(r.wall)}s wall (${fmt((4 * pages) / r.wall, 0)} pages/s), peak RSS ${fmt(r.rssMb, 0)} MB, [${statuses}]`);
  figure(`all_${label}`, (4 * pages) / r.wall, { wall: r.wall, rssMb: r.rssMb, statuses });
  verify(db, `${label} --all`);
}

const temp = mkdtempSync(join(tmpdir(), 'brainsync-bench-'));
let n = 0;
const pgliteDb = async () => join(temp, `brain-${++n}`);
console.log(`brainsync bench: ${pages} pages per source, node ${process.version}`);
if (only !== 'postgres') {
  await benchBackend('pglite', pgliteDb, [1]);
  if (!skipAll) await benchAll('pglite', pgliteDb);
}
if (only !== 'pglite') {
  const pg = await startPostgres(join(temp, 'pg'));
  try {
    const pgDb = async () => pg.createDatabase(`bench_${++n}`);
    await benchBackend('postgres', pgDb, pgWorkers);
    if (!skipAll) await benchAll('postgres', pgDb);
  } finally {
    await pg.stop();
  }
}
if (!args.includes('--keep')) rmSync(temp, { recursive: true, force: true });
