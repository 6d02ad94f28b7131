// No-op sync latency on PGLite: prints figures, asserts nothing. Wall time of the whole
// process (node start included), median and min of --runs runs (default 10), for
//   1. `sync --source c` of one source of --pages pages (default 10000), and
//   2. `sync --all` over four sources of --all-pages pages each (default 2500),
// each measured three ways, interleaved run by run so that the machine's load hits all alike:
//   fast      this build (the no-op is answered from the status manifest),
//   normal    this build with the fast path refused (a change marker is put in place before
//             each run, as a writer leaves it, so the run opens the brain),
//   baseline  another build given with --baseline (e.g. /work/main/bin/brainsync.js), on its
//             own copy of the brain: main's build rewrites the manifest without the fields
//             the fast path needs, so it cannot share a brain with this one.
// Every brain is synced and embedded once before (so a no-op is what cron runs all day), and
// every source is a clone with an upstream, so each no-op pulls. --postgres adds the no-op of
// one source on a Postgres brain (the normal path: there is no fast path there).
//
//   npm run build && node bench/noop.mjs [--runs 10] [--pages 10000] [--all-pages 2500]
//                                         [--baseline PATH/bin/brainsync.js] [--skip-all] [--postgres] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const runs = Number(opt('runs', '10'));
const pages = Number(opt('pages', '10000'));
const allPages = Number(opt('all-pages', '2500'));
const cli = resolve('bin/brainsync.js');
const baseline = opt('baseline', null) && resolve(opt('baseline', null));
const temp = mkdtempSync(join(tmpdir(), 'brainsync-bench-noop-'));

function brainsync(build, db, argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [build, '--db', db, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`brainsync ${argv.join(' ')} exited ${r.status}\n${r.stderr.slice(-2000)}`);
  let json = null;
  try {
    json = JSON.parse(r.stdout.trim().split('\n').at(-1));
  } catch {}
  return { ms, json };
}

async function cloneOf(seed, n) {
  const src = resolve('.bench', `corpus-${n}-s${seed}`);
  if (!existsSync(src)) await createCorpusRepo(src, { pages: n, seed });
  const dir = mkdtempSync(join(temp, 'repo-'));
  execFileSync('git', ['clone', '-q', '--local', src, dir]);
  return dir;
}

/** A brain with the given sources, synced and embedded, and a copy of it for the baseline build. */
async function prepare(label, sources, db = join(temp, `${label}-brain`)) {
  brainsync(cli, db, ['init', '-q']);
  for (const [name, repo] of sources) brainsync(cli, db, ['sources', 'add', name, repo, '-q']);
  const t = performance.now();
  brainsync(cli, db, ['sync', '--all', '--no-embed', '-q']);
  brainsync(cli, db, ['embed', '--all', '-q']);
  brainsync(cli, db, ['sync', '--all', '-q']); // writes this build's manifest
  console.log(`${label}: prepared (first sync + embed) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  let copy = null;
  if (baseline && !db.startsWith('postgres')) {
    copy = join(temp, `${label}-brain-baseline`);
    cpSync(db, copy, { recursive: true });
    brainsync(baseline, copy, ['sync', '--all', '-q']); // the baseline's own manifest, if it writes one
  }
  return { db, copy };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function measure(label, { db, copy }, argv, key) {
  const ways = {
    fast: () => {
      const r = brainsync(cli, db, ['--json', ...argv]);
      if (r.json?.sources?.some((s) => s.runId !== undefined || s.status !== 'up_to_date')) console.error(`${label}: fast run was not answered from the manifest`);
      return r.ms;
    },
    normal: () => {
      writeFileSync(`${db}.status.changing`, '{"bench":"refuse the fast path"}\n');
      const r = brainsync(cli, db, ['--json', ...argv]);
      if (r.json?.sources?.some((s) => s.runId === undefined)) console.error(`${label}: normal run was answered from the manifest`);
      return r.ms;
    },
    ...(copy ? { baseline: () => brainsync(baseline, copy, ['--json', ...argv]).ms } : {}),
  };
  const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (const fn of Object.values(ways)) fn(); // warm the file cache
  for (let i = 0; i < runs; i++) for (const [k, fn] of Object.entries(ways)) times[k].push(fn());
  for (const [k, xs] of Object.entries(times)) {
    if (k === 'fast') figure(key, median(xs) / 1000, { runs });
    console.log(`${label} ${k.padEnd(8)}: median ${(median(xs) / 1000).toFixed(3)} s, min ${(Math.min(...xs) / 1000).toFixed(3)} s wall incl. process start (${runs} runs)`);
  }
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`brainsync no-op bench: node ${process.version}, ${runs} runs per figure${baseline ? `, baseline ${baseline}` : ''}; load average ${load()}`);
try {
  const one = await prepare('pglite 1 source', [['c', await cloneOf(1, pages)]]);
  measure(`pglite no-op sync --source c (${pages} pages)`, one, ['sync', '--source', 'c'], 'noop_one');
  if (!args.includes('--skip-all')) {
    const four = [];
    for (let seed = 1; seed <= 4; seed++) four.push([`c${seed}`, await cloneOf(seed, allPages)]);
    const all = await prepare('pglite 4 sources', four);
    measure(`pglite no-op sync --all (4 × ${allPages} pages)`, all, ['sync', '--all'], 'noop_all');
  }
  if (args.includes('--postgres')) {
    const pg = await startPostgres(join(temp, 'pg'));
    try {
      const db = await pg.createDatabase('bench_noop');
      const brain = await prepare('postgres 1 source', [['c', await cloneOf(1, pages)]], db);
      const xs = [];
      for (let i = 0; i <= runs; i++) xs.push(brainsync(cli, brain.db, ['sync', '--source', 'c']).ms);
      xs.shift(); // the first warms the caches
      console.log(`postgres no-op sync --source c (${pages} pages) normal  : median ${(median(xs) / 1000).toFixed(3)} s, min ${(Math.min(...xs) / 1000).toFixed(3)} s wall incl. process start (${runs} runs)`);
    } finally {
      await pg.stop();
    }
  }
  // --version: process start and the CLI's module graph, no work.
  const v = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [cli, '--version']);
    v.push(performance.now() - t);
  }
  console.log(`brainsync --version: median ${(median(v) / 1000).toFixed(3)} s, min ${(Math.min(...v) / 1000).toFixed(3)} s`);
} finally {
  console.log(`load average after: ${load()}`);
  if (!args.includes('--keep')) rmSync(temp, { recursive: true, force: true });
}
