import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/core/search.js';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { writeSearchNotes } from '../helpers/searchNotes.js';
import { brainWithSource, removeTemps } from './fixtures.js';

interface SearchJson {
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  version: string;
  query: string;
  mode: string;
  notices: string[];
  results: SearchHit[];
}

const openDbModule = new URL('../../dist/db/openDb.js', import.meta.url).href;
const targetModule = new URL('../../dist/db/target.js', import.meta.url).href;

/** Another process holding the PGLite brain (as a sync does) for `ms`, then closing it. */
async function holdBrain(dir: string, ms: number): Promise<{ child: ChildProcess; pid: number; exited: Promise<number | null> }> {
  const script = `
    const { openDb } = await import(${JSON.stringify(openDbModule)});
    const { resolveDbTarget } = await import(${JSON.stringify(targetModule)});
    const db = await openDb(resolveDbTarget({ flag: ${JSON.stringify(dir)}, env: {} }), { command: 'brainsync sync --source notes' });
    process.stdout.write('held\\n');
    await new Promise((r) => setTimeout(r, ${ms}));
    await db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`the holder exited (${code}) before holding the brain`)));
  });
  return { child, pid: child.pid!, exited };
}

describe('brainsync search (the CLI)', () => {
  let repo: TestRepo;
  let brain: TestBrain;
  beforeAll(async () => {
    repo = await createRepo();
    await writeSearchNotes(repo);
    brain = await brainWithSource('pglite', 'notes', repo.dir);
    const synced = await runCli(['sync', '--source', 'notes'], { db: brain });
    expect(synced.code, describeRun(synced)).toBe(0);
  });
  afterEach(killAllCli);
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });

  it('prints one JSON document with the query, mode, notices and hits (documented fields)', async () => {
    const r = await runCli(['--json', 'search', 'soccer game weekend', '--limit', '3'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const doc = jsonOf<SearchJson>(r);
    expect(doc).toMatchObject({ exitCode: 0, query: 'soccer game weekend', mode: 'hybrid', notices: [] });
    expect(doc.results).toHaveLength(3);
    expect(Object.keys(doc.results[0]).sort()).toEqual(['headingPath', 'path', 'ranks', 'score', 'slug', 'snippet', 'source', 'title']);
    expect(doc.results[0]).toMatchObject({ source: 'notes', path: 'sport/league.md', slug: 'sport/league', title: 'Saturday league', ranks: { text: null, vector: 1 } });
  });

  it('shows hits on stderr with « » around matched words when not on a terminal; --mode and --source are honoured', async () => {
    const r = await runCli(['search', '--source', 'notes', '--mode', 'text', 'backups'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^1\. Backups {2}notes:ops\/backups-title\.md · text #1 · score/m);
    expect(r.stderr).toContain('«backups»');
    for (const [args, message] of [
      [['search', ''], /query is empty/],
      [['search', 'the of'], /only stop words/],
      [['search', 'x', '--mode', 'fuzzy'], /argument 'fuzzy' is invalid.*hybrid, text, vector/],
      [['search', 'x', '--limit', '0'], /--limit "0" must be a whole number/],
      [['search', 'x', '--source', 'nope'], /no source named "nope"/],
      [['search', 'x', '--wait', 'soon'], /--wait "soon" is not a duration/],
    ] as const) {
      const bad = await runCli([...args], { db: brain });
      expect(bad.code, describeRun(bad)).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('waits for a PGLite brain another process holds, then exits 75 naming the holder', async () => {
    const holder = await holdBrain(brain.arg, 30_000);
    try {
      const r = await runCli(['--json', 'search', 'backups', '--wait', '2s'], { db: brain });
      expect(r.code, describeRun(r)).toBe(75);
      expect(r.ms).toBeGreaterThanOrEqual(2000);
      const waiting = r.stderr.split('\n').filter((l) => l.startsWith('waiting for the brain'));
      expect(waiting).toEqual([expect.stringMatching(new RegExp(`held by pid ${holder.pid} on .* \\(brainsync sync --source notes\\) since .*waiting up to 2s`))]);
      expect(r.stderr).toMatch(new RegExp(`gave up after waiting 2s for the brain .*in use by pid ${holder.pid}.*Concurrent readers and writers need a Postgres brain`));
      expect(jsonOf<{ exitCode: number; error: { code: string } }>(r)).toMatchObject({ exitCode: 75, error: { code: 'locked' } });
      const noWait = await runCli(['pages', 'list', '--source', 'notes', '--wait', '0'], { db: brain });
      expect(noWait.code, describeRun(noWait)).toBe(75);
      expect(noWait.stderr).not.toContain('waiting for the brain');
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
  });

  it('answers once a holder that finishes within --wait has let the brain go', async () => {
    const holder = await holdBrain(brain.arg, 2_000);
    const r = await runCli(['--json', 'search', 'backups', '--wait', '30s'], { db: brain });
    expect(await holder.exited).toBe(0);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toContain(`waiting for the brain: held by pid ${holder.pid}`);
    expect(jsonOf<SearchJson>(r).results[0].path).toBe('ops/backups-title.md');
  });
});
