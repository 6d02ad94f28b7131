import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS bench module
import { createCorpusRepo } from '../bench/corpus.mjs';

const pages = Number(process.env.BRAINSYNC_HEAVY_PAGES ?? 20000);
// Small CI corpora import in a few seconds: shrink the budget so one wave is still not enough.
const budget = Number(process.env.BRAINSYNC_HEAVY_BUDGET ?? (pages >= 20000 ? 15 : 2));
const cli = resolve('bin/brainsync.js');
const sources = ['alpha', 'beta', 'gamma'];

function brainsync(db: string, args: string[], outer?: number) {
  const argv = outer ? ['timeout', String(outer), process.execPath, cli, '--db', db, ...args] : [process.execPath, cli, '--db', db, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pageCount(db: string): Record<string, number> {
  const out = JSON.parse(brainsync(db, ['sources', 'list', '--json']).stdout) as { name: string; pages: number }[];
  return Object.fromEntries(out.map((s) => [s.name, s.pages]));
}

describe('the cron reproducer', () => {
  it(`converges over repeated "timeout ${budget + 5} brainsync sync --all --timeout ${budget}" waves (${pages} pages × 3)`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'brainsync-heavy-'));
    const db = join(work, 'brain');
    expect(brainsync(db, ['init']).code).toBe(0);
    for (const [i, name] of sources.entries()) {
      const repo = join(work, name);
      await createCorpusRepo(repo, { pages, seed: 10 + i });
      expect(brainsync(db, ['sources', 'add', name, repo]).code).toBe(0);
    }
    let previous = 0;
    let waves = 0;
    for (;;) {
      waves++;
      const wave = brainsync(db, ['sync', '--all', '--timeout', String(budget), '--json'], budget + 5);
      // When timeout(1) has to cut the wave it sends SIGTERM and itself exits 124; brainsync
      // must still have printed its results and released its locks (checked below).
      expect([0, 75, 124], wave.stderr).toContain(wave.code);
      expect(wave.stdout, `wave ${waves} (exit ${wave.code}) printed no results:\n${wave.stderr}`).not.toBe('');
      const doc = JSON.parse(wave.stdout) as { sources: { status: string }[] };
      const total = Object.values(pageCount(db)).reduce((a, b) => a + b, 0);
      const locks = JSON.parse(brainsync(db, ['locks', '--json']).stdout) as unknown[];
      expect(locks).toEqual([]);
      if (doc.sources.every((s) => s.status === 'synced' || s.status === 'up_to_date')) break;
      expect(total, `wave ${waves} made no progress`).toBeGreaterThan(previous);
      previous = total;
      expect(waves).toBeLessThan(40);
    }
    expect(waves, 'the corpus should need more than one wave').toBeGreaterThan(1);
    expect(pageCount(db)).toEqual(Object.fromEntries(sources.map((s) => [s, pages])));
    const again = brainsync(db, ['sync', '--all', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { sources: { status: string }[] }).sources.map((s) => s.status)).toEqual(
      sources.map(() => 'up_to_date'),
    );
  });

  it('runs the cron line from README.md as written', () => {
    const readme = readFileSync('README.md', 'utf8');
    const line = readme.split('\n').find((l) => /^\S+ \S+ \S+ \S+ \S+ cd /.test(l));
    expect(line, 'README has a cron line').toBeTruthy();
    const command = line!.split(/\s+/).slice(5).join(' ');
    const work = mkdtempSync(join(tmpdir(), 'brainsync-cronline-'));
    const repo = join(work, 'notes');
    execFileSync('sh', ['examples/make-example-repo.sh', repo]);
    const env = { ...process.env, BRAINSYNC_HOME: work };
    execFileSync(process.execPath, [cli, 'init'], { env });
    execFileSync(process.execPath, [cli, 'sources', 'add', 'notes', repo], { env });
    const runnable = command
      .replace('/srv/brainsync', resolve('.'))
      .replaceAll('/var/log/', `${work}/`);
    // Two waves append to one log: it must read as JSON Lines, one dated document per wave.
    for (let wave = 0; wave < 2; wave++) {
      const r = spawnSync('sh', ['-c', runnable], { env, encoding: 'utf8' });
      expect(r.status, readFileSync(join(work, 'brainsync.log'), 'utf8')).toBe(0);
    }
    const lines = readFileSync(join(work, 'brainsync.json'), 'utf8').trimEnd().split('\n');
    const docs = lines.map((l) => JSON.parse(l) as { startedAt: string; finishedAt: string; version: string; sources: { status: string }[] });
    expect(docs.map((d) => d.sources[0].status)).toEqual(['synced', 'up_to_date']);
    for (const d of docs) expect(Date.parse(d.finishedAt)).toBeGreaterThanOrEqual(Date.parse(d.startedAt));
  });
});
