// Tight budgets: how much work each wave keeps. Prints figures, asserts nothing.
// `npm run build && node bench/budget.mjs [--pages 10000] [--timeouts 2,5,30] [--max-waves 60]
//  [--only pglite|postgres] [--cli path/to/bin/brainsync.js]` (--cli runs another build, for before/after).
// Per budget: a fresh brain, a first sync of the corpus repeated with `--timeout T` until it is
// synced; per wave the pages committed, the pages read but not committed (their batch was rolled
// back) and the time spent in rolled-back batches (timings.rolledBackMs, where the build reports it).
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
const timeouts = opt('timeouts', '2,5,30').split(',').map(Number);
const maxWaves = Number(opt('max-waves', '60'));
const only = opt('only', 'pglite');
const cli = resolve(opt('cli', 'bin/brainsync.js'));

function run(db, argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, '--db', db, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - t) / 1000;
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    try {
      json = JSON.parse(r.stdout.trim().split('\n').at(-1)); // JSON Lines
    } catch {}
  }
  return { wall, json, status: r.status, stderr: r.stderr };
}

async function corpusRepo() {
  const dir = resolve('.bench', `corpus-${pages}-s1`);
  if (!existsSync(dir)) await createCorpusRepo(dir, { pages, seed: 1 });
  const clone = mkdtempSync(join(tmpdir(), 'brainsync-bench-repo-'));
  execFileSync('git', ['clone', '-q', '--local', dir, clone]);
  return clone;
}

async function waves(label, db, repo, timeout) {
  run(db, ['init', '-q']);
  run(db, ['sources', 'add', 'c', repo, '-q']);
  const kept = [];
  let lostPages = 0, rolledBackMs = 0, runMs = 0, wall = 0, status = null, i = 0;
  for (; i < maxWaves; i++) {
    const r = run(db, ['--json', 'sync', '--source', 'c', '--timeout', String(timeout)]);
    const s = r.json?.sources?.[0];
    if (!s) {
      console.error(`${label}: no result (exit ${r.status})\n${r.stderr.slice(-1500)}`);
      break;
    }
    wall += r.wall;
    runMs += s.timings.totalMs;
    rolledBackMs += s.timings.rolledBackMs ?? 0;
    kept.push(s.counts.imported + s.counts.failed);
    lostPages += Math.max(0, s.counts.read - s.counts.imported - s.counts.failed);
    status = s.status;
    if (status !== 'partial') break;
  }
  const partial = kept.slice(0, status === 'partial' ? kept.length : -1);
  const mean = partial.length ? partial.reduce((a, b) => a + b, 0) / partial.length : NaN;
  const noneKept = partial.filter((n) => n === 0).length;
  console.log(
    `${label} --timeout ${timeout}: ${status === 'partial' ? `NOT synced after ${i} waves` : `synced in ${kept.length} waves`}, ` +
      `${wall.toFixed(1)} s wall; pages committed per stopped wave: mean ${mean.toFixed(0)}, min ${Math.min(...partial)}, ` +
      `max ${Math.max(...partial)}, ${noneKept} waves kept nothing; pages read but rolled back: ${lostPages}; ` +
      `time in rolled-back batches: ${rolledBackMs} ms = ${((100 * rolledBackMs) / runMs).toFixed(1)}% of run time`,
  );
  console.log(`${label} --timeout ${timeout}: committed per wave: ${kept.join(' ')}`);
}

const temp = mkdtempSync(join(tmpdir(), 'brainsync-bench-budget-'));
console.log(`brainsync budget bench: ${pages} pages, first sync in waves, node ${process.version}, cli ${cli}`);
try {
  if (only !== 'postgres') {
    for (const t of timeouts) await waves('pglite', join(temp, `brain-${t}`), await corpusRepo(), t);
  }
  if (only !== 'pglite') {
    const pg = await startPostgres(join(temp, 'pg'));
    try {
      for (const t of timeouts) await waves('postgres', await pg.createDatabase(`budget_${t}`), await corpusRepo(), t);
    } finally {
      await pg.stop();
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
