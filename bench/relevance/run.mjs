// Relevance bench: nDCG@10, recall@10 and MRR of `search()` in text, vector and hybrid mode
// over the hand-labelled set in bench/relevance (README there). Prints figures, asserts
// nothing. Run after `npm run build`:
//   node bench/relevance/run.mjs [--models DIR] [--per-query] [--keep]
// --models DIR (or BRAINSYNC_BENCH_MODELS): a GloVe cache to reuse, e.g. $TMPDIR/brainsync-test-models;
// without it a fresh one is converted in the temp dir (about 1.5 s).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { figure } from '../figures.mjs';
import { mean, ndcgAtK, recallAtK, reciprocalRank } from './metrics.mjs';
import { corpusDir, listCorpus, loadQueries } from './relevanceSet.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const k = 10;
const modes = ['text', 'vector', 'hybrid'];
const classes = ['name', 'keyword', 'paraphrase'];
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'bin/brainsync.js');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The corpus as a one-commit git repository; fixed identity and dates give the same sha every time. */
function makeRepo(dir) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Relevance Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'Relevance Bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
  const git = (...a) => execFileSync('git', ['-C', dir, ...a], { env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'relevance corpus');
  return git('rev-parse', 'HEAD');
}

/** Runs the built CLI; returns wall seconds and its --json output. Exits the bench on failure. */
function brainsync(env, argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, ...argv], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) {
    console.error(`brainsync ${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
    process.exit(1);
  }
  return { wall, json: argv.includes('--json') ? JSON.parse(r.stdout) : null };
}

/** Creates the brain the way a user does: init, sources add, sync (import and GloVe embedding). */
async function buildBrain(work) {
  const repo = join(work, 'repo');
  await cp(corpusDir, repo, { recursive: true });
  const head = makeRepo(repo);
  const home = join(work, 'home');
  await mkdir(home);
  const models = opt('models', process.env.BRAINSYNC_BENCH_MODELS);
  if (models) {
    await mkdir(models, { recursive: true });
    await symlink(resolve(models), join(home, 'models'));
  }
  const env = { ...process.env, BRAINSYNC_HOME: home };
  const brain = join(work, 'brain');
  brainsync(env, ['--db', brain, 'init', '-q']);
  brainsync(env, ['--db', brain, 'sources', 'add', 'relevance', repo, '-q']);
  const sync = brainsync(env, ['--db', brain, 'sync', '--source', 'relevance', '--json', '-q']);
  const s = sync.json.sources[0];
  console.log(`corpus commit ${head.slice(0, 12)}; sync: ${s.counts.imported} pages imported, ${s.counts.embedded} chunks embedded ` +
    `(glove) in ${sync.wall.toFixed(2)} s wall incl. process start (run ${s.timings.totalMs} ms, of which embed ${s.timings.embedMs} ms), status ${s.status}`);
  if (s.counts.pending > 0) console.log(`warning: ${s.counts.pending} chunks still wait for a vector; vector figures are incomplete`);
  return { brain, modelsDir: join(home, 'models') };
}

async function openSearch(brain, modelsDir) {
  if (!existsSync(new URL(dist('core/search.js')))) {
    console.error('dist/core/search.js is missing: this build has no search() to measure. Build a version with search (npm run build) and run again.');
    process.exit(1);
  }
  const { search } = await import(dist('core/search.js'));
  const { openBrain } = await import(dist('db/openBrain.js'));
  const { resolveDbTarget } = await import(dist('db/target.js'));
  const { ProviderPool } = await import(dist('embed/ProviderPool.js'));
  // As `brainsync search` opens it: with pgvector loaded, so vectors are ranked by its exact scan.
  const db = await openBrain(resolveDbTarget({ flag: brain, env: {} }), { vector: true });
  const models = new ProviderPool(modelsDir);
  return { search: (q, opts) => search({ db, models }, q, opts), close: async () => { await models.close(); await db.close(); } };
}

/** Every query in every mode: its scores, and each search's in-process time. */
async function runQueries(engine, queries) {
  const scores = [];
  const ms = Object.fromEntries(modes.map((m) => [m, []]));
  const notices = new Set();
  for (const mode of modes) await engine.search(queries[0].query, { mode, limit: k }); // loads the model, warms caches
  for (const q of queries) {
    const row = { q };
    for (const mode of modes) {
      const t = performance.now();
      const res = await engine.search(q.query, { mode, limit: k });
      ms[mode].push(performance.now() - t);
      if (res.mode !== mode) notices.add(`asked for ${mode}, got ${res.mode}`);
      for (const n of res.notices) notices.add(n);
      const ranked = res.hits.map((h) => h.path);
      row[mode] = { ndcg: ndcgAtK(ranked, q.relevant, k), recall: recallAtK(ranked, q.relevant, k), rr: reciprocalRank(ranked, q.relevant), top: ranked.slice(0, 3) };
    }
    scores.push(row);
  }
  return { scores, ms, notices };
}

const f3 = (x) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function printTable(scores) {
  const head = modes.map((m) => m.padEnd(22)).join(' ');
  console.log(`\n${''.padEnd(15)}${head}`);
  console.log(`${'class'.padEnd(11)}   n ${modes.map(() => 'nDCG@10 R@10   MRR   ').join(' ')}`);
  for (const cls of ['all', ...classes]) {
    const rows = scores.filter((r) => cls === 'all' || r.q.class === cls);
    const cells = modes.map((m) => [ 'ndcg', 'recall', 'rr' ].map((x) => f3(mean(rows.map((r) => r[m][x])))).join('  ').padEnd(22));
    console.log(`${cls.padEnd(11)} ${String(rows.length).padStart(3)} ${cells.join(' ')}`);
  }
}

function printPerQuery(scores) {
  console.log(`\nper query, nDCG@10 text / vector / hybrid, and hybrid's top 3:`);
  for (const r of scores) {
    console.log(`  ${r.q.id.padEnd(18)} ${modes.map((m) => r[m].ndcg.toFixed(2)).join(' / ')}  ${r.hybrid.top.join(', ')}`);
  }
}

const work = await mkdtemp(join(tmpdir(), 'brainsync-bench-relevance-'));
try {
  const [{ queries }, pages] = await Promise.all([loadQueries(), listCorpus()]);
  const byClass = classes.map((c) => `${queries.filter((q) => q.class === c).length} ${c}`).join(', ');
  console.log(`relevance set: ${pages.length} pages, ${queries.length} queries (${byClass}); node ${process.version}; load average ${load()}`);
  const { brain, modelsDir } = await buildBrain(work);
  const engine = await openSearch(brain, modelsDir);
  try {
    const { scores, ms, notices } = await runQueries(engine, queries);
    printTable(scores);
    for (const m of modes) figure(`ndcg_${m}`, mean(scores.map((r) => r[m].ndcg)), { queries: scores.length });
    const worse = scores.filter((r) => r.hybrid.ndcg < r.text.ndcg - 1e-9).map((r) => r.q.id);
    console.log(`\nhybrid below text (nDCG@10) on ${worse.length} of ${scores.length} queries${worse.length ? `: ${worse.join(', ')}` : ''}`);
    console.log(`in-process latency per query, ms (p50 / p95): ${modes.map((m) => `${m} ${pct(ms[m], 50).toFixed(1)} / ${pct(ms[m], 95).toFixed(1)}`).join(', ')}`);
    if (notices.size) console.log(`notices: ${[...notices].join(' | ')}`);
    if (args.includes('--per-query')) printPerQuery(scores);
  } finally {
    await engine.close();
  }
  console.log(`load average at end: ${load()}`);
} finally {
  if (args.includes('--keep')) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
