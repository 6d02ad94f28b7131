import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrain } from '../helpers/brains.js';
import {
  describeRun, jsonOf, killAllCli, query, repoRoot, runCli, startCli, waitForExit, waitForPhase, waitUntil, withDb,
} from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { note } from '../helpers/sync.js';
import { addSource } from '../../src/core/addSource.js';
import type { Manifest } from '../../src/status/manifest.js';
import type { SourceStatus } from '../../src/status/sourceStatus.js';
import { brainWithSource, corpusPages, makeCorpus, removeTemps, tempDir, type Corpus } from './fixtures.js';

interface StatusJson {
  exitCode: number;
  from: 'manifest' | 'live';
  manifest: { path: string; writtenAt: string; version: string } | null;
  sources: SourceStatus[];
  stale?: string[];
}

const recorder = pathToFileURL(join(repoRoot, 'test/fixtures/recordImports.mjs')).href;
const manifestOf = (brain: TestBrain) => `${brain.arg}.status.json`;

async function readManifestFile(brain: TestBrain): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(manifestOf(brain), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

let corpus: Corpus;
let repo: TestRepo;
beforeAll(async () => {
  corpus = await makeCorpus(corpusPages.pglite, 9);
  repo = await createRepo();
  await repo.write('a.md', note('A'));
  await repo.commit('one');
});
afterEach(killAllCli);
afterAll(async () => {
  await repo?.cleanup();
  await removeTemps();
});

describe('brainsync status on a PGLite brain', () => {
  it('answers from the manifest while another process holds the brain in a long sync, without loading a database module', async () => {
    const brain = await brainWithSource('pglite', 'notes', corpus.dir);
    const sync = await startCli(['sync', '--source', 'notes', '--no-embed'], { db: brain });
    await waitForPhase(sync, 'notes', 'apply');
    // Rewritten once the run took its lock (asynchronously, while the run goes on).
    await waitUntil('the manifest to show the run\'s lock', async () => (await readManifestFile(brain))?.sources[0]?.lock?.pid === sync.pid, { alive: sync });

    const imports = join(await tempDir('brainsync-imports-'), 'imports.txt');
    const st = await runCli(['--json', 'status'], { db: brain, env: { NODE_OPTIONS: `--import ${recorder}`, BRAINSYNC_TEST_IMPORTS: imports } });
    expect(st.code, describeRun(st)).toBe(0);
    expect(sync.done(), 'the sync still holds the brain').toBe(false);
    const doc = jsonOf<StatusJson>(st);
    expect(doc.from).toBe('manifest');
    expect(doc.sources[0]).toMatchObject({ name: 'notes', lastRun: null, lock: { pid: sync.pid, holderAlive: true } });

    const loaded = (await readFile(imports, 'utf8')).split('\n').filter(Boolean);
    expect(loaded.some((u) => u.endsWith('/dist/cli/commands/statusRun.js')), 'the recorder saw the status command').toBe(true);
    // dist/db/target.js (where the brain is) and connectionErrors.js (main's error mapping) hold no driver or query.
    const database = loaded.filter((u) => /@electric-sql|\/node_modules\/pg\/|\/node_modules\/pg-pool\/|\/dist\/db\/(?!target\.js$|connectionErrors\.js$)/.test(u));
    expect(database).toEqual([]);

    // A live query cannot open the held brain: what the manifest is for.
    const live = await runCli(['status', '--live'], { db: brain });
    expect(live.code, describeRun(live)).toBe(75);

    const done = await waitForExit(sync, 120_000);
    expect(done.code, describeRun(done)).toBe(0);
    const after = jsonOf<StatusJson>(await runCli(['--json', 'status'], { db: brain }));
    expect(after.sources[0]).toMatchObject({ lock: null, failedFiles: 0, lastRun: { status: 'synced' }, bookmark: corpus.head });
    expect(after.sources[0].embedPending).toBeGreaterThan(0);
  });

  it('falls back to a live query, saying so, when the manifest is missing, corrupt or of an earlier brain; --live always queries', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await runCli(['sync', '--source', 'notes'], { db: brain })).code).toBe(0);
    const fromFile = await runCli(['--json', 'status'], { db: brain });
    expect(fromFile.stderr).toBe('');
    expect(jsonOf<StatusJson>(fromFile)).toMatchObject({ from: 'manifest', sources: [{ name: 'notes', lastRun: { status: 'synced' } }] });
    const good = await readFile(manifestOf(brain), 'utf8');

    const live = await runCli(['--json', 'status', '--live'], { db: brain });
    expect(live.stderr).toBe('');
    expect(jsonOf<StatusJson>(live)).toMatchObject({ from: 'live', manifest: null, sources: [{ name: 'notes', lastRun: { status: 'synced' } }] });

    const cases: Array<[string, () => Promise<void>, RegExp]> = [
      ['missing', () => rm(manifestOf(brain)), /there is no status manifest at .*\.status\.json yet; querying the database instead/],
      ['corrupt', () => writeFile(manifestOf(brain), good.slice(0, 200)), /the status manifest .* is unreadable \(not JSON/],
      ['earlier brain', () => writeFile(manifestOf(brain), good.replace(/"systemIdentifier": "\d+"/, '"systemIdentifier": "1"')), /was written for an earlier brain at/],
    ];
    for (const [what, damage, notice] of cases) {
      await damage();
      const r = await runCli(['--json', 'status'], { db: brain });
      expect(r.code, `${what}: ${describeRun(r)}`).toBe(0);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(notice);
      expect(jsonOf<StatusJson>(r), what).toMatchObject({ from: 'live', sources: [{ name: 'notes', lastRun: { status: 'synced' } }] });
    }
  });

  it('--max-staleness exits 1 naming the sources not synced within it (or never), and 0 when all are', async () => {
    const brain = await brainWithSource('pglite', 'fresh', repo.dir);
    await withDb(brain, (db) => addSource(db, { name: 'never', repo: repo.dir, cwd: repoRoot }));
    expect((await runCli(['sync', '--source', 'fresh'], { db: brain })).code).toBe(0);

    const ok = await runCli(['status', '--source', 'fresh', '--max-staleness', '1h'], { db: brain });
    expect(ok.code, describeRun(ok)).toBe(0);
    const never = await runCli(['--json', 'status', '--max-staleness', '1h'], { db: brain });
    expect(never.code, describeRun(never)).toBe(1);
    expect(never.stderr).toMatch(/never is stale: has never synced successfully/);
    expect(never.stderr).not.toMatch(/fresh is stale/);
    expect(jsonOf<StatusJson>(never)).toMatchObject({ exitCode: 1, stale: ['never'] });

    // Three hours ago, by the database's clock; `init` rewrites the manifest from that state.
    await query(brain, "update sync_runs set finished_at = finished_at - interval '3 hours'");
    await query(brain, "update sources set bookmark_at = bookmark_at - interval '3 hours'");
    expect((await runCli(['init', '-q'], { db: brain })).code).toBe(0);
    const old = await runCli(['status', '--source', 'fresh', '--max-staleness', '2h'], { db: brain });
    expect(old.code, describeRun(old)).toBe(1);
    expect(old.stderr).toMatch(/fresh is stale: last synced successfully 3h ago \(--max-staleness 2h\)/);
    expect((await runCli(['status', '--source', 'fresh', '--max-staleness', '4h'], { db: brain })).code).toBe(0);
    expect((await runCli(['status', '--live', '--source', 'fresh', '--max-staleness', '2h'], { db: brain })).code).toBe(1);

    const bad = await runCli(['status', '--max-staleness', '2 days'], { db: brain });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-staleness "2 days" is not a duration/);
  });

  it('--format prometheus prints what a Prometheus parser reads back, one series per source', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await runCli(['sync', '--source', 'notes'], { db: brain })).code).toBe(0);
    const r = await runCli(['status', '--format', 'prometheus'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    const families = parsePrometheusTextFormat(r.stdout);
    const staleness = families.find((f) => f.name === 'brainsync_source_staleness_seconds')!;
    expect(staleness.type).toBe('GAUGE');
    expect(staleness.metrics).toHaveLength(1);
    expect(staleness.metrics[0].labels).toEqual({ brain: brain.arg, source: 'notes' });
    expect(Number(staleness.metrics[0].value)).toBeLessThan(120);
    const status = families.find((f) => f.name === 'brainsync_source_last_run_status')!;
    expect(status.metrics.filter((m) => m.value === '1').map((m) => m.labels?.status)).toEqual(['synced']);

    const both = await runCli(['--json', 'status', '--format', 'prometheus'], { db: brain });
    expect(both.code).toBe(2);
    expect((await runCli(['status', '--format', 'yaml'], { db: brain })).stderr).toMatch(/--format "yaml" .* table or prometheus/);
  });

  it('refuses an unknown --source, naming it', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await runCli(['sync', '--source', 'notes'], { db: brain })).code).toBe(0);
    const r = await runCli(['status', '--source', 'nope'], { db: brain });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no source named "nope" in the status manifest/);
  });
});
