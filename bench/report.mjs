// `npm run bench`: runs the bench scripts one after another at one size and prints one table of
// their figures, with the machine and the sizes. Prints figures, asserts nothing.
//
//   npm run bench [-- --pages 10000] [--large] [--skip-postgres] [--out FILE]
//
// --large adds a first sync of 100,000 pages into PGLite (several minutes, ~2 GB of corpus
// under .bench/). The scripts' own output streams as they run; the table comes last and is
// also written to .bench/report.md (or --out). Each script can be run on its own for detail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const pages = Number(opt('pages', '10000'));
const out = resolve(opt('out', '.bench/report.md'));
const postgres = !args.includes('--skip-postgres');
mkdirSync(resolve('.bench'), { recursive: true });
const figuresFile = resolve('.bench', `figures-${process.pid}.jsonl`);
rmSync(figuresFile, { force: true });

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loads = [];

function script(file, argv) {
  const line = `node ${file} ${argv.join(' ')}`;
  console.log(`\n== ${line}   (load average ${load()})`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [resolve(file), ...argv], {
    stdio: 'inherit',
    env: { ...process.env, BRAINSYNC_BENCH_FIGURES: figuresFile },
  });
  loads.push(`${file}: ${((performance.now() - t) / 1000).toFixed(0)} s, load average after ${load()}`);
  if (r.status !== 0) console.log(`!! ${line} exited ${r.status}; its rows may be missing`);
}

const started = new Date();
const loadBefore = load();
script('bench/sync.mjs', ['--pages', String(pages), ...(postgres ? [] : ['--only', 'pglite'])]);
if (args.includes('--large')) script('bench/sync.mjs', ['--pages', '100000', '--only', 'pglite', '--skip-all', '--first-only']);
script('bench/noop.mjs', ['--pages', String(pages), '--all-pages', String(Math.ceil(pages / 4)), '--runs', '7']);
script('bench/status.mjs', ['--size', String(pages), '--runs', '10']);
script('bench/searchLatency.mjs', ['--size', String(pages), '--runs', '5']);
script('bench/relevance/run.mjs', []);

const figures = new Map();
for (const line of readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean)) {
  const f = JSON.parse(line);
  figures.set(f.pages && f.pages !== pages ? `${f.key}@${f.pages}` : f.key, f);
}
rmSync(figuresFile, { force: true });

const get = (key) => figures.get(key);
const n0 = (x) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const s2 = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`);
const mb = (f) => (f?.rssMb ? `, peak ${Math.round(f.rssMb)} MB` : '');
const k = pages.toLocaleString('en-US');
const rows = [
  ['first sync, PGLite, links + full text, no embed', `${k} pages`, get('first_pglite_w1') ? `${n0(get('first_pglite_w1').value)} pages/s${mb(get('first_pglite_w1'))}` : 'n/a'],
  ['first sync, PGLite', '100,000 pages', get('first_pglite_w1@100000') ? `${n0(get('first_pglite_w1@100000').value)} pages/s${mb(get('first_pglite_w1@100000'))}` : 'not run (--large)'],
  ['first sync, Postgres, 1 worker', `${k} pages`, get('first_postgres_w1') ? `${n0(get('first_postgres_w1').value)} pages/s${mb(get('first_postgres_w1'))}` : 'n/a'],
  ['first sync, Postgres, 4 workers', `${k} pages`, get('first_postgres_w4') ? `${n0(get('first_postgres_w4').value)} pages/s${mb(get('first_postgres_w4'))}` : 'n/a'],
  ['`sync --all`, 4 sources, PGLite, no embed', `4 × ${k} pages`, get('all_pglite') ? `${n0(get('all_pglite').value)} pages/s${mb(get('all_pglite'))}` : 'n/a'],
  ['`sync --all`, 4 sources, Postgres, no embed', `4 × ${k} pages`, get('all_postgres') ? `${n0(get('all_postgres').value)} pages/s${mb(get('all_postgres'))}` : 'n/a'],
  ['no-op sync of one source, PGLite, wall incl. process start', `${k} pages`, s2(get('noop_one')?.value)],
  ['no-op `sync --all`, 4 sources, PGLite', `4 × ${Math.ceil(pages / 4).toLocaleString('en-US')} pages`, s2(get('noop_all')?.value)],
  ['100 edits + 5 adds, 5 renames, 5 deletes, PGLite, wall (re-embed included)', `${k} pages`, s2(get('inc_pglite')?.value)],
  ['same, Postgres', `${k} pages`, s2(get('inc_postgres')?.value)],
  ['resume: cost per page already written (skipped)', `${k} pages`, get('resume_pglite') ? `${get('resume_pglite').value.toFixed(0)} µs PGLite, ${get('resume_postgres')?.value.toFixed(0) ?? 'n/a'} µs Postgres` : 'n/a'],
  ['embed, glove (default), chunks/s in the phase', `${n0(get('embed_pglite')?.chunks)} chunks`, `${n0(get('embed_pglite')?.value)} PGLite, ${n0(get('embed_postgres')?.value)} Postgres`],
  ['`status` p50, from the manifest / `--live`', `${k} pages`, `${n0(get('status_manifest')?.value)} ms / ${n0(get('status_live')?.value)} ms`],
  ['`search` p50 end to end (text / vector / hybrid)', `${k} pages`, ['text', 'vector', 'hybrid'].map((m) => `${n0(get(`search_cli_${m}`)?.value)}`).join(' / ') + ' ms'],
  ['`search` p50 in process (text / vector / hybrid)', `${k} pages`, ['text', 'vector', 'hybrid'].map((m) => `${get(`search_inproc_${m}`)?.value.toFixed(1) ?? 'n/a'}`).join(' / ') + ' ms'],
  ['relevance nDCG@10 (text / vector / hybrid)', `${get('ndcg_text')?.queries ?? 'n/a'} labelled queries`, ['text', 'vector', 'hybrid'].map((m) => get(`ndcg_${m}`)?.value.toFixed(3) ?? 'n/a').join(' / ')],
];
const cpu = cpus();
const table = [
  `brainsync bench, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpu.length} × ${cpu[0]?.model.trim()}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}; load average before ${loadBefore}, after ${load()}`,
  '',
  '| figure | size | measured |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  ...(figures.has('verify_failed') ? ['', '**A bench brain failed `verify`: see the output above; these figures are suspect.**'] : []),
];
console.log(`\n${loads.join('\n')}\n\n${table.join('\n')}`);
writeFileSync(out, table.join('\n') + '\n');
console.log(`\n(table written to ${out})`);
