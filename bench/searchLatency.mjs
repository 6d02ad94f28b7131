// Search latency: prints figures, asserts nothing. `npm run build` first, then
//   node bench/searchLatency.mjs [--size 10000] [--runs 15] [--fresh]
// Builds (once, kept under .bench/) a PGLite brain of SIZE generated pages (bench/corpus.mjs),
// synced and embedded with the default glove model, then measures each mode:
//   - in-process: search() on an open brain (query embedding included), p50/p95;
//   - where the in-process time goes: query embedding, the full-text statement, the vector statement;
//   - end to end as a user runs it: `brainsync search Q --mode M --json` (process start,
//     brain open, pgvector load, model load, search, exit), p50/p95;
// and prints the plan of the full-text statement (it must use pages_search_idx).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createCorpusRepo } from './corpus.mjs';
import { figure } from './figures.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const size = Number(opt('size', '10000'));
const runs = Number(opt('runs', '15'));
const root = resolve('.bench');
const cli = resolve('bin/brainsync.js');
const home = join(root, `search-${size}-home`);
const brain = join(root, `search-${size}`, 'brain');
const env = { ...process.env, BRAINSYNC_HOME: home, NO_COLOR: '1' };
delete env.BRAINSYNC_DATABASE_URL;
delete env.DATABASE_URL;

// Words the corpus uses (keyword queries), and questions in other words (meaning).
const queries = ['retry timeout', 'heartbeat bookmark', 'garden forecast', 'how do I get my data back after a crash', 'planning the budget for next year'];
const modes = ['text', 'vector', 'hybrid'];

function brainsync(argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, '--db', brain, ...argv], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`brainsync ${argv.join(' ')} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

async function ensureBrain() {
  if (args.includes('--fresh')) rmSync(join(root, `search-${size}`), { recursive: true, force: true });
  if (existsSync(join(brain, 'PG_VERSION'))) return;
  const corpus = join(root, `corpus-${size}-s1`);
  if (!existsSync(corpus)) await createCorpusRepo(corpus, { pages: size, seed: 1 });
  console.log(`building a ${size}-page brain (sync + glove embed) under ${brain} …`);
  brainsync(['init', '-q']);
  brainsync(['sources', 'add', 'c', corpus, '-q']);
  const s = brainsync(['sync', '--source', 'c', '--json', '-q']);
  const r = JSON.parse(s.stdout).sources[0];
  console.log(`  sync: ${r.counts.imported} pages, ${r.counts.embedded} chunks embedded in ${(s.ms / 1000).toFixed(1)} s`);
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(0)} ms · p95 ${pct(xs, 95).toFixed(0)} ms (n=${xs.length})`;
const time = async (fn) => {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
};

async function inProcess() {
  const { openBrain } = await import('../dist/db/openBrain.js');
  const { resolveDbTarget } = await import('../dist/db/target.js');
  const { ProviderPool } = await import('../dist/embed/ProviderPool.js');
  const { search } = await import('../dist/core/search.js');
  const { rankPagesByText } = await import('../dist/db/searchQueries.js');
  const { nearestChunks } = await import('../dist/db/vectorSearchQueries.js');
  const { ensureSearchStatistics } = await import('../dist/db/searchStatistics.js');
  const target = resolveDbTarget({ flag: brain, env: {} });

  // Alternated, after one warm-up open (the first open of a process also compiles PGLite's wasm).
  await (await openBrain(target, { vector: false })).close();
  const opens = { plain: [], vector: [] };
  for (let i = 0; i < 4; i++) {
    for (const vector of [false, true]) {
      const [ms, d] = await time(() => openBrain(target, { vector }));
      await d.close();
      opens[vector ? 'vector' : 'plain'].push(ms);
    }
  }
  console.log(`open the brain again in one process: without pgvector ${fmt(opens.plain)}; with pgvector ${fmt(opens.vector)}`);
  const db = await openBrain(target, { vector: true });
  const [statsMs, analysed] = await time(() => ensureSearchStatistics(db));
  console.log(analysed ? `first search on this brain: ANALYZE (planner statistics, once) ${statsMs.toFixed(0)} ms` : 'planner statistics: present');
  const models = new ProviderPool(join(home, 'models'));
  const [loadMs, model] = await time(() => models.get(db, { spec: null, url: null, keyEnv: null }));
  console.log(`load the glove model (cached conversion): ${loadMs.toFixed(0)} ms`);

  for (const q of ['retry timeout', 'Kestrel']) {
    const plan = await db.query(
      `explain analyze select p.id, ts_rank_cd(p.search, q, 1) as rank from pages p, websearch_to_tsquery('english', $1) q
        where p.search @@ q and p.source_id = any($2::bigint[]) order by rank desc, p.id limit 50`,
      [q, [1]],
    );
    const lines = plan.rows.map((r) => r['QUERY PLAN']).filter((l) => /Scan|rows=|Execution/.test(l) && !/Buffers/.test(l));
    console.log(`plan of the full-text statement for "${q}":\n  ` + lines.join('\n  '));
  }

  const sourceIds = (await db.query('select id from sources')).rows.map((r) => r.id);
  const parts = { embed: [], text: [], vector: [] };
  for (let i = 0; i < runs; i++) {
    for (const q of queries) {
      const [e, [vec]] = await time(() => model.provider.embed([q]));
      parts.embed.push(e);
      parts.text.push((await time(() => rankPagesByText(db, q, sourceIds, 50)))[0]);
      const nq = { modelId: model.modelId, dimensions: model.provider.dimensions, vector: vec, sourceIds, limit: 200 };
      parts.vector.push((await time(() => nearestChunks(db, db.capabilities.vectorIndex ? 'index' : 'scan', nq)))[0]);
    }
  }
  console.log(`  query embedding (glove): ${fmt(parts.embed)}`);
  console.log(`  full-text statement (top 50 pages): ${fmt(parts.text)}`);
  console.log(`  vector statement (200 nearest chunks, exact pgvector scan): ${fmt(parts.vector)}`);
  for (const mode of modes) {
    const ms = [];
    for (let i = 0; i < runs; i++) for (const q of queries) ms.push((await time(() => search({ db, models }, q, { mode, limit: 10 })))[0]);
    figure(`search_inproc_${mode}`, pct(ms, 50), { p95: pct(ms, 95) });
    console.log(`in-process search --mode ${mode}: ${fmt(ms)}`);
  }
  await models.close();
  await db.close();
}

function endToEnd() {
  for (const mode of modes) {
    const ms = [];
    let debug = '';
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 3)); i++) {
      for (const q of queries.slice(0, 3)) {
        const r = brainsync(['--json', '--debug', 'search', q, '--mode', mode]);
        ms.push(r.ms);
        debug = r.stderr.trim().split('\n').filter((l) => /opened the brain in/.test(l)).pop() ?? '';
      }
    }
    figure(`search_cli_${mode}`, pct(ms, 50), { p95: pct(ms, 95) });
    console.log(`end to end \`brainsync search Q --mode ${mode}\`: ${fmt(ms)}   (last run: ${debug})`);
  }
  const node = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(performance.now() - t);
  }
  const version = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [cli, '--version']);
    version.push(performance.now() - t);
  }
  console.log(`for scale: \`node -e 0\` ${fmt(node)}; \`brainsync --version\` ${fmt(version)}`);
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await ensureBrain();
const counts = JSON.parse(brainsync(['--json', 'sources', 'list']).stdout)[0];
console.log(`brain: ${counts.pages} pages, ${counts.chunks} chunks, PGLite at ${brain}`);
await inProcess();
endToEnd();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${readFileSync('/proc/loadavg', 'utf8').trim()})`);
