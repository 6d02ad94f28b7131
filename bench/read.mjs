// Read-side benchmarks for `verify`, `failures` and `pages show`: prints figures, asserts
// nothing. Run after `npm run build`: node bench/read.mjs [--pages N] [--only pglite|postgres]
// [--runs R] [--keep]. The brain is synced once (not measured); each command then runs R times
// as a user runs it (process start and brain opening included), and the library calls are
// timed in-process on an open brain, so the cost of opening shows apart from the work.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCorpusRepo } from './corpus.mjs';
import { startPostgres } from './postgres.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const pages = Number(opt('pages', '10000'));
const runs = Number(opt('runs', '5'));
const only = opt('only', null);
const cli = resolve('bin/brainsync.js');
const hasTime = existsSync('/usr/bin/time');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, d = 2) => (n === null || n === undefined ? 'n/a' : n.toFixed(d));

function run(db, argv) {
  const cmd = hasTime ? '/usr/bin/time' : process.execPath;
  const full = hasTime ? ['-f', '__RSS__ %M', process.execPath, cli, '--db', db, ...argv] : [cli, '--db', db, ...argv];
  const t = performance.now();
  const r = spawnSync(cmd, full, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - t) / 1000;
  const rss = /__RSS__ (\d+)/.exec(r.stderr)?.[1];
  return { wall, rssMb: rss ? Number(rss) / 1024 : null, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function measure(label, db, argv, okStatus = [0]) {
  const rs = [];
  for (let i = 0; i < runs; i++) rs.push(run(db, argv));
  const bad = rs.find((r) => !okStatus.includes(r.status));
  if (bad) console.error(`${label}: exit ${bad.status}\n${bad.stderr.slice(-1500)}`);
  console.log(`${label}: median ${fmt(median(rs.map((r) => r.wall)))}s wall of ${runs} (min ${fmt(Math.min(...rs.map((r) => r.wall)))}s), peak RSS ${fmt(Math.max(...rs.map((r) => r.rssMb ?? 0)), 0)} MB`);
  return rs[0];
}

async function inProcess(label, db) {
  const { resolveDbTarget } = await import('../dist/db/target.js');
  const { openDb } = await import('../dist/db/openDb.js');
  const { verifySources } = await import('../dist/core/verifySources.js');
  const { showPage } = await import('../dist/core/showPage.js');
  const { sourceFailures } = await import('../dist/core/sourceFailures.js');
  let t = performance.now();
  const brain = await openDb(resolveDbTarget({ flag: db, env: {} }), { create: false });
  const openMs = performance.now() - t;
  try {
    const time = async (fn) => {
      const ms = [];
      let value;
      for (let i = 0; i < runs; i++) {
        t = performance.now();
        value = await fn();
        ms.push(performance.now() - t);
      }
      return { ms: median(ms), value };
    };
    const v = await time(() => verifySources(brain, ['c'], { reposDir: '/nonexistent' }));
    const busiest = (await brain.query(
      `select p.slug from pages p join links l on l.page_id = p.id group by p.slug order by count(*) desc, p.slug limit 1`,
    )).rows[0].slug;
    const linked = (await brain.query(
      `select t.slug from pages t join pages p on true join links l on l.page_id = p.id and l.target_slug = t.slug
        group by t.slug order by count(*) desc, t.slug limit 1`,
    )).rows[0]?.slug ?? busiest;
    const s1 = await time(() => showPage(brain, busiest, 'c'));
    const s2 = await time(() => showPage(brain, linked, 'c'));
    const f = await time(() => sourceFailures(brain, []));
    const r = v.value[0];
    console.log(`${label} in-process: open ${fmt(openMs, 0)} ms; verify ${fmt(v.ms, 0)} ms (${r.status}, ${r.pages} pages, ${r.files} files); ` +
      `pages show ${busiest} ${fmt(s1.ms, 1)} ms (${s1.value.links.length} links out, ${s1.value.links.filter((l) => l.resolved).length} resolved); ` +
      `pages show ${linked} ${fmt(s2.ms, 1)} ms (${s2.value.backlinks.length} backlinks); failures ${fmt(f.ms, 1)} ms`);
    return { busiest, linked };
  } finally {
    await brain.close();
  }
}

async function bench(label, db, repo) {
  run(db, ['init', '-q']);
  const add = run(db, ['sources', 'add', 'c', repo, '-q']);
  if (add.status !== 0) throw new Error(add.stderr);
  const synced = run(db, ['sync', '--source', 'c', '--no-embed', '-q']);
  console.log(`${label}: synced ${pages} pages in ${fmt(synced.wall, 1)}s (setup, exit ${synced.status})`);
  const { busiest, linked } = await inProcess(label, db);
  measure(`${label} verify --source c`, db, ['verify', '--source', 'c', '--json']);
  measure(`${label} pages show ${busiest}`, db, ['pages', 'show', busiest, '--json']);
  measure(`${label} pages show ${linked}`, db, ['pages', 'show', linked, '--json']);
  measure(`${label} failures`, db, ['failures', '--json']);
}

const root = resolve('.bench');
const corpusDir = join(root, `corpus-${pages}-s1`);
if (!existsSync(corpusDir)) await createCorpusRepo(corpusDir, { pages, seed: 1 });
const temp = mkdtempSync(join(tmpdir(), 'brainsync-bench-read-'));
const repo = join(temp, 'repo');
execFileSync('git', ['clone', '-q', '--local', corpusDir, repo]);
console.log(`brainsync read bench: ${pages} pages, ${runs} runs each, node ${process.version}`);
try {
  if (only !== 'postgres') await bench('pglite', join(temp, 'brain'), repo);
  if (only !== 'pglite') {
    const pg = await startPostgres(join(temp, 'pg'));
    try {
      await bench('postgres', await pg.createDatabase('bench_read'), repo);
    } finally {
      await pg.stop();
    }
  }
} finally {
  if (!args.includes('--keep')) rmSync(temp, { recursive: true, force: true });
}
