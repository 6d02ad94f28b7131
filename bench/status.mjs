// `brainsync status` latency: prints figures, asserts nothing. End to end (process start
// included), p50/p95 over --runs runs (default 20), from the manifest and with --live, on a
// brain of --size pages (default 10000) synced with --no-embed.
//
//   npm run build && node bench/status.mjs [--size 100000] [--runs 20] [--backend pglite|postgres]
//                                          [--brain DIR] [--keep]
//
// --brain reuses a PGLite brain that already holds the corpus (skips the import).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCorpusRepo } from './corpus.mjs';
import { startPostgres } from './postgres.mjs';
import { figure } from './figures.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const pages = Number(opt('size', opt('pages', '10000')));
const runs = Number(opt('runs', '20'));
const backend = opt('backend', 'pglite');
const cli = resolve('bin/brainsync.js');
const temp = mkdtempSync(join(tmpdir(), 'brainsync-bench-status-'));
const home = join(temp, 'home');

function brainsync(db, argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, '--db', db, ...argv], {
    encoding: 'utf8', env: { ...process.env, BRAINSYNC_HOME: home }, maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 3) throw new Error(`brainsync ${argv.join(' ')} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function measure(label, db, argv, check, key) {
  brainsync(db, argv); // warm the file cache once
  const times = [];
  for (let i = 0; i < runs; i++) {
    const r = brainsync(db, argv);
    check?.(r);
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  figure(key, quantile(times, 0.5), { p95: quantile(times, 0.95), runs });
  console.log(`${label}: p50 ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms, min ${times[0].toFixed(0)} ms (${runs} runs)`);
}

const from = (want) => (r) => {
  const doc = JSON.parse(r.stdout);
  if (doc.from !== want) throw new Error(`expected status from ${want}, got ${doc.from}`);
};

async function prepare(db) {
  const corpus = resolve('.bench', `corpus-${pages}-s1`);
  if (!existsSync(corpus)) await createCorpusRepo(corpus, { pages, seed: 1 });
  brainsync(db, ['init', '-q']);
  brainsync(db, ['sources', 'add', 'c', corpus, '-q']);
  const t = performance.now();
  brainsync(db, ['sync', '--source', 'c', '--no-embed', '-q']);
  console.log(`imported ${pages} pages with --no-embed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

let pg = null;
try {
  let db = opt('brain', null);
  if (backend === 'postgres') {
    pg = await startPostgres(join(temp, 'pg'));
    db = await pg.createDatabase('bench_status');
    await prepare(db);
  } else if (db) {
    db = resolve(db);
    brainsync(db, ['sync', '--all', '--no-embed', '-q']); // writes the manifest if the brain predates it
  } else {
    db = join(temp, 'brain');
    await prepare(db);
  }
  const [one, five] = loadavg();
  console.log(`brainsync status on a ${backend} brain of ${pages} pages, node ${process.version}, load average ${one.toFixed(2)} / ${five.toFixed(2)}`);
  measure('status --json from the manifest', db, ['--json', 'status'], from('manifest'), 'status_manifest');
  measure('status --format prometheus from the manifest', db, ['status', '--format', 'prometheus']);
  measure('status --json --live', db, ['--json', 'status', '--live'], from('live'), 'status_live');
  measure('node bin/brainsync.js --version (process start alone)', db, ['--version']);
} finally {
  await pg?.stop();
  if (!args.includes('--keep')) rmSync(temp, { recursive: true, force: true });
  else console.log(`kept ${temp}`);
}
