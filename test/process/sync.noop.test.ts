import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrain } from '../helpers/brains.js';
import {
  bookmark, brainPages, describeRun, jsonOf, killAllCli, query, repoPages, repoRoot, resultOf, runCli, runsOf, startCli,
  waitForExit, waitForPhase, waitUntil, withDb, type CliResult, type SyncJson,
} from '../helpers/cli.js';
import { createRepo, runTestGit, type TestRepo } from '../helpers/gitRepo.js';
import { note } from '../helpers/sync.js';
import { addSource } from '../../src/core/addSource.js';
import type { Manifest } from '../../src/status/manifest.js';
import type { SourceStatus } from '../../src/status/sourceStatus.js';
import {
  brainWithSource, corpusPages, killRemoteProcesses, makeCorpus, makeHistory, makeSshRemote, removeTemps, setBranch, tempDir,
  type Corpus, type History,
} from './fixtures.js';

/**
 * The no-op fast path of `sync` on a PGLite brain: a wave whose sources are all at their
 * bookmark after the pull is answered from the status manifest without starting PGLite; every
 * case the manifest cannot prove goes to the normal path. `--debug` says which path ran and
 * why; a normal run's result carries a runId, a fast-path answer has none.
 */

const recorder = pathToFileURL(join(repoRoot, 'test/fixtures/recordImports.mjs')).href;
const manifestOf = (brain: TestBrain) => `${brain.arg}.status.json`;
const markerOf = (brain: TestBrain) => `${brain.arg}.status.changing`;
const answered = /answered from the status manifest without opening the brain/;
const notAnswered = (why: RegExp) => new RegExp(`not answered from the status manifest: .*${why.source}`);

async function readManifestFile(brain: TestBrain): Promise<Manifest> {
  return JSON.parse(await readFile(manifestOf(brain), 'utf8')) as Manifest;
}

async function writeManifestFile(brain: TestBrain, m: Manifest | string): Promise<void> {
  await writeFile(manifestOf(brain), typeof m === 'string' ? m : JSON.stringify(m, null, 2));
}

/** `--debug --json sync ARGS`: the run, and its one-line JSON document. */
async function sync(brain: TestBrain, args: string[], env?: Record<string, string>): Promise<CliResult & { doc: SyncJson }> {
  const r = await runCli(['--debug', '--json', 'sync', ...args], { db: brain, env });
  return { ...r, doc: jsonOf<SyncJson>(r) };
}

/** A repository of its own with one note (t0), and a PGLite brain that has synced it. */
async function syncedOneNote(): Promise<{ r: TestRepo; t0: string; brain: TestBrain }> {
  const r = await createRepo();
  await r.write('a.md', note('A'));
  const t0 = await r.commit('one');
  const brain = await brainWithSource('pglite', 'notes', r.dir);
  expect((await sync(brain, ['--source', 'notes'])).code).toBe(0);
  return { r, t0, brain };
}

/** Asserts the wave was answered from the manifest (no run id, exit 0) and returns its results. */
function expectAnswered(r: CliResult & { doc: SyncJson }, what = ''): SyncJson['sources'] {
  expect(r.code, `${what}\n${describeRun(r)}`).toBe(0);
  expect(r.stderr, what).toMatch(answered);
  for (const s of r.doc.sources) expect(s.runId, what).toBeUndefined();
  return r.doc.sources;
}

/** Asserts the normal path ran, for the reason given. */
function expectNormalPath(r: CliResult & { doc: SyncJson }, why: RegExp, what = ''): SyncJson['sources'] {
  expect(r.stderr, `${what}\n${describeRun(r)}`).toMatch(notAnswered(why));
  expect(r.stderr, what).not.toMatch(answered);
  for (const s of r.doc.sources) expect(s.runId, what).toEqual(expect.any(String));
  return r.doc.sources;
}

async function statusOf(brain: TestBrain, args: string[] = []): Promise<CliResult & { sources: SourceStatus[] }> {
  const r = await runCli(['--json', 'status', ...args], { db: brain });
  return { ...r, sources: jsonOf<{ sources: SourceStatus[] }>(r).sources };
}

let repo: TestRepo;
beforeAll(async () => {
  repo = await createRepo();
  await repo.write('a.md', note('A'));
  await repo.commit('one');
});
afterEach(async () => {
  await killAllCli();
  await killRemoteProcesses();
});
afterAll(async () => {
  await repo?.cleanup();
  await removeTemps();
});

describe('a no-op sync of a PGLite brain answered from the status manifest', () => {
  it('pulls, finds the tip at the bookmark and answers up_to_date without loading a database module, in the shape of a normal up_to_date result', async () => {
    // A clone whose branch tracks an upstream: the run pulls it.
    const upstream = repo.dir;
    const clone = join(await tempDir('brainsync-clone-'), 'notes');
    await runTestGit(repoRoot, ['clone', '-q', upstream, clone]);
    const brain = await brainWithSource('pglite', 'notes', clone);
    expect((await sync(brain, ['--source', 'notes'])).doc.sources[0].status).toBe('synced');

    // A normal no-op for comparison: a change marker (as a writer leaves it) makes the next run take the normal path.
    await writeFile(markerOf(brain), '{}\n');
    const normal = expectNormalPath(await sync(brain, ['--source', 'notes']), /a command changed the brain/)[0];
    expect(normal.status).toBe('up_to_date');

    const imports = join(await tempDir('brainsync-imports-'), 'imports.txt');
    const fast = await sync(brain, ['--source', 'notes'], { NODE_OPTIONS: `--import ${recorder}`, BRAINSYNC_TEST_IMPORTS: imports });
    const result = expectAnswered(fast)[0];
    const { runId: _runId, timings: normalTimings, ...normalRest } = normal;
    const { timings, ...rest } = result;
    expect(rest).toEqual(normalRest);
    expect(Object.keys(timings).sort()).toEqual(Object.keys(normalTimings).sort());
    expect(result).toMatchObject({ status: 'up_to_date', pull: 'pulled', target: await runTestGit(clone, ['rev-parse', 'HEAD']) });
    expect(Object.keys(fast.doc).sort()).toEqual(['exitCode', 'finishedAt', 'sources', 'startedAt', 'version']);

    const loaded = (await readFile(imports, 'utf8')).split('\n').filter(Boolean);
    expect(loaded.some((u) => u.endsWith('/dist/core/syncFromManifest.js'))).toBe(true);
    const database = loaded.filter((u) => /@electric-sql|\/node_modules\/pg\/|\/dist\/db\/(?!target\.js$|connectionErrors\.js$)/.test(u));
    expect(database).toEqual([]);

    // The pull still happens: a commit upstream reaches the brain on the next run.
    await repo.write('b.md', note('B'));
    const head = await repo.commit('two');
    const pulled = expectNormalPath(await sync(brain, ['--source', 'notes']), /notes has commits the brain does not hold yet/)[0];
    expect(pulled).toMatchObject({ status: 'synced', target: head, counts: { imported: 1 } });
    expectAnswered(await sync(brain, ['--source', 'notes']));
    expect([...(await brainPages(brain, 'notes')).keys()]).toEqual(['a.md', 'b.md']);
  });

  it('counts as a successful sync for status and --max-staleness, also after the manifest is rebuilt from the database', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await sync(brain, ['--source', 'notes'])).code).toBe(0);
    // Three hours ago by the database's clock; `init` rebuilds the manifest from that state.
    await query(brain, "update sync_runs set started_at = started_at - interval '3 hours', finished_at = finished_at - interval '3 hours'");
    await query(brain, "update sources set bookmark_at = bookmark_at - interval '3 hours'");
    expect((await runCli(['init', '-q'], { db: brain })).code).toBe(0);
    expect((await runCli(['status', '--max-staleness', '2h'], { db: brain })).code).toBe(1);

    const before = Date.now();
    expectAnswered(await sync(brain, ['--source', 'notes']));
    const st = await statusOf(brain, ['--max-staleness', '2h']);
    expect(st.code, describeRun(st)).toBe(0);
    expect(st.sources[0]).toMatchObject({ lastRun: { status: 'up_to_date', runId: null }, commitsBehind: 0, lock: null });
    expect(Date.parse(st.sources[0].lastSuccessAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await runCli(['status', '--live', '--max-staleness', '2h'], { db: brain })).code).toBe(0);

    // Any writer rebuilds the manifest from the database, which has no row for the no-op: it is merged back in.
    expect((await runCli(['sources', 'add', 'other', repo.dir], { db: brain })).code).toBe(0);
    const rebuilt = await statusOf(brain, ['--source', 'notes', '--max-staleness', '2h']);
    expect(rebuilt.code, describeRun(rebuilt)).toBe(0);
    expect(rebuilt.sources[0].lastRun).toMatchObject({ status: 'up_to_date', runId: null });
    // The database still says three hours: the check lives beside it, not in sync_runs.
    expect((await runsOf(brain, 'notes')).map((r) => r.status)).toEqual(['synced']);
  });

  it('stays available after commands that only read the brain, which leave its manifest current', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await sync(brain, ['--source', 'notes'])).code).toBe(0);
    const readers = [
      ['sources', 'list'], ['sources', 'show', 'notes'], ['pages', 'list', '--source', 'notes'], ['pages', 'show', 'a'],
      ['failures'], ['verify', '--source', 'notes'], ['locks'], ['status', '--live'], ['search', 'text', '--mode', 'text'],
    ];
    for (const argv of readers) {
      const r = await runCli(argv, { db: brain });
      expect(r.code, `${argv.join(' ')}\n${describeRun(r)}`).toBe(0);
      expectAnswered(await sync(brain, ['--source', 'notes']), argv.join(' '));
    }
  });

  it('takes the normal path for flags that ask for more and for any manifest it cannot believe', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await sync(brain, ['--source', 'notes'])).code).toBe(0);
    // Re-read before each case: every run with the database rewrites it (and the data stamp it names).
    let good = '';
    const cases: Array<[string, string[], () => Promise<void>, RegExp]> = [
      ['--full', ['--full'], async () => {}, /--full needs the database/],
      ['--retry-failed', ['--retry-failed'], async () => {}, /--retry-failed needs the database/],
      ['--dry-run', ['--dry-run'], async () => {}, /--dry-run needs the database/],
      ['--break-lock', ['--break-lock'], async () => {}, /breaking locks needs the database/],
      ['a change marker left by a writer', [], () => writeFile(markerOf(brain), '{}\n'), /a command changed the brain after its status manifest was written/],
      ['no manifest', [], () => rm(manifestOf(brain)), /there is no status manifest/],
      ['a corrupt manifest', [], () => writeManifestFile(brain, good.slice(0, 100)), /unreadable/],
      ['the manifest of an earlier brain', [], () => writeManifestFile(brain, good.replace(/"systemIdentifier": "\d+"/, '"systemIdentifier": "1"')), /earlier brain/],
      ['a manifest of another brainsync', [], () => writeManifestFile(brain, good.replace(/"version": "[^"]+"/, '"version": "0.0.1"')), /written by brainsync 0\.0\.1/],
      ['a manifest of another state of the data', [], () => writeManifestFile(brain, good.replace(/"dataStamp": "[^"]+"/, '"dataStamp": "2026-01-01T00:00:00.000Z 00"')), /does not match the data now in/],
      ['a manifest that names no data stamp', [], () => writeManifestFile(brain, good.replace(/,\s*"dataStamp": "[^"]+"/, '')), /does not say which state of .* it describes/],
      ['a manifest without the fields the check needs', [], () => writeManifestFile(brain, good.replace(/"pendingTargets": \[\],/, '')), /predates/],
    ];
    for (const [what, flags, damage, why] of cases) {
      expectAnswered(await sync(brain, ['--source', 'notes']), `before: ${what}`);
      good = await readFile(manifestOf(brain), 'utf8');
      await damage();
      const r = await sync(brain, ['--source', 'notes', ...flags]);
      expect(r.code, `${what}\n${describeRun(r)}`).toBe(0);
      expect(expectNormalPath(r, why, what)[0].status, what).toBe('up_to_date');
    }
  });

  it('never answers for a manifest rewound to before a commit: a writer that dies before its rewrite leaves the marker, and the normal path puts the brain right', async () => {
    const { r, t0, brain } = await syncedOneNote();
    const m0 = await readFile(manifestOf(brain), 'utf8');
    await r.write('b.md', note('B'));
    await r.commit('two');
    expect(resultOf(await sync(brain, ['--source', 'notes'])).status).toBe('synced');
    // The branch goes back to the first commit: its tip equals the rewound manifest's bookmark.
    await r.git(['reset', '-q', '--hard', t0]);
    // What a crash between the commit and the rewrite leaves on disk: the old manifest and the marker made before the change.
    await writeManifestFile(brain, m0);
    await writeFile(markerOf(brain), '{}\n');
    const back = expectNormalPath(await sync(brain, ['--source', 'notes']), /a command changed the brain/)[0];
    expect(back).toMatchObject({ status: 'synced', counts: { deleted: 1 } });
    expect([...(await brainPages(brain, 'notes')).keys()]).toEqual(['a.md']);
    await r.cleanup();
  });

  it('never answers for a brain restored from an older copy beside a newer manifest: status asks the database, and the normal path syncs from the real bookmark', async () => {
    const { r, t0, brain } = await syncedOneNote();
    const copy = `${brain.arg}.copy`;
    await cp(brain.arg, copy, { recursive: true });
    await r.write('b.md', note('B'));
    const t1 = await r.commit('two');
    expect(resultOf(await sync(brain, ['--source', 'notes'])).status).toBe('synced');
    expectAnswered(await sync(brain, ['--source', 'notes']));
    // The operator restores the brain directory from the copy; the newer manifest stays beside it.
    await rm(brain.arg, { recursive: true });
    await cp(copy, brain.arg, { recursive: true });
    expect((await readManifestFile(brain)).sources[0].bookmark).toBe(t1);

    const st = await runCli(['--json', 'status'], { db: brain });
    expect(st.code, describeRun(st)).toBe(0);
    expect(st.stderr).toMatch(/does not match the data now in .* \(the directory was restored or copied since, or the manifest's last rewrite failed\); querying the database instead/);
    expect(jsonOf<{ from: string; sources: SourceStatus[] }>(st)).toMatchObject({ from: 'live', sources: [{ name: 'notes', bookmark: t0 }] });

    const back = expectNormalPath(await sync(brain, ['--source', 'notes']), /does not match the data now in/)[0];
    expect(back).toMatchObject({ status: 'synced', counts: { imported: 1 } });
    expectAnswered(await sync(brain, ['--source', 'notes']));
    // (Opened in this process, the test's own way in, after the last sync: it marks the manifest out of date.)
    expect([...(await brainPages(brain, 'notes')).keys()].sort()).toEqual(['a.md', 'b.md']);
    await rm(copy, { recursive: true });
    await r.cleanup();
  });

  it('follows sources removed, added and re-modelled in between; a writer that cannot mark the manifest changes nothing', async () => {
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    expect((await sync(brain, ['--source', 'notes'])).code).toBe(0);
    expectAnswered(await sync(brain, ['--source', 'notes']));

    // A preview changes nothing and keeps the manifest current.
    expect((await runCli(['sources', 'remove', 'notes'], { db: brain })).code).toBe(2);
    expectAnswered(await sync(brain, ['--source', 'notes']));
    // So does `sources set` that changes nothing (it rewrites the manifest).
    expect((await runCli(['sources', 'set', 'notes', '--embed', 'glove'], { db: brain })).code).toBe(0);
    expectAnswered(await sync(brain, ['--source', 'notes']));

    // The marker is made before the change: where it cannot be made, nothing is removed.
    await mkdir(markerOf(brain));
    const refused = await runCli(['sources', 'remove', 'notes', '--yes'], { db: brain });
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toMatch(/marks the brain's status manifest out of date .*Nothing was changed/);
    await rm(markerOf(brain), { recursive: true });
    expect(await bookmark(brain, 'notes')).not.toBeNull();

    expect((await runCli(['sources', 'remove', 'notes', '--yes'], { db: brain })).code).toBe(0);
    const gone = await runCli(['--debug', 'sync', '--source', 'notes'], { db: brain });
    expect(gone.code, describeRun(gone)).toBe(2);
    expect(gone.stderr).toMatch(notAnswered(/the status manifest has no source named "notes"/));
    expect(gone.stderr).toMatch(/no source named "notes" in this brain/);
    // A wave refused before any run leaves the marker its open made: the next wave rewrites the manifest.
    expect(expectNormalPath(await sync(brain, ['--all']), /a command changed the brain/)).toEqual([]);
    expect(expectAnswered(await sync(brain, ['--all']))).toEqual([]);

    // Added again under the same name, from another repository: a new source with no bookmark.
    const other = await createRepo();
    await other.write('z.md', note('Z'));
    await other.commit('z');
    expect((await runCli(['sources', 'add', 'notes', other.dir], { db: brain })).code).toBe(0);
    const fresh = expectNormalPath(await sync(brain, ['--all']), /notes has no bookmark yet/)[0];
    expect(fresh).toMatchObject({ status: 'synced', counts: { imported: 1 } });
    expectAnswered(await sync(brain, ['--all']));
    // (Last: the test's own database access marks the manifest, as any writer's would.)
    expect([...(await brainPages(brain, 'notes')).keys()]).toEqual(['z.md']);
    await other.cleanup();
  });

  it('answers sync --all over four sources only when none has changed; a clone-URL source is fetched first', async () => {
    const remote = await makeSshRemote({ 'r.md': note('R') });
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    await withDb(brain, async (db) => {
      await addSource(db, { name: 'notes2', repo: repo.dir, cwd: repoRoot });
      await addSource(db, { name: 'notes3', repo: repo.dir, cwd: repoRoot });
    });
    const add = await runCli(['sources', 'add', 'remote', remote.url], { db: brain, env: remote.fastEnv });
    expect(add.code, describeRun(add)).toBe(0);
    const first = await sync(brain, ['--all'], remote.fastEnv);
    expect(first.code, describeRun(first)).toBe(0);
    expect(first.doc.sources.map((s) => s.status).sort()).toEqual(['synced', 'synced', 'synced', 'synced']);

    const all = expectAnswered(await sync(brain, ['--all'], remote.fastEnv));
    expect(all.map((s) => s.source).sort()).toEqual(['notes', 'notes2', 'notes3', 'remote']);
    expect(all.find((s) => s.source === 'remote')).toMatchObject({ status: 'up_to_date', pull: 'fetched' });

    // A commit pushed to the remote is fetched by the check, so the wave takes the normal path.
    const work = join(remote.root, 'work');
    await writeFile(join(work, 's.md'), note('S'));
    await runTestGit(work, ['add', '-A']);
    await runTestGit(work, ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 's']);
    await runTestGit(work, ['push', '-q', join(remote.root, 'notes.git'), 'main']);
    const connections = async () => (await readFile(join(remote.root, 'ssh-fast.pids'), 'utf8')).split('\n').filter(Boolean).length;
    const before = await connections();
    const changed = expectNormalPath(await sync(brain, ['--all'], remote.fastEnv), /remote has commits the brain does not hold yet/);
    expect(changed.find((s) => s.source === 'remote')).toMatchObject({ status: 'synced', pull: 'fetched', counts: { imported: 1 } });
    // The normal path syncs what the check fetched, without fetching again.
    expect(await connections()).toBe(before + 1);
    expect(changed.filter((s) => s.status === 'up_to_date')).toHaveLength(3);
    expectAnswered(await sync(brain, ['--all'], remote.fastEnv));
  });
});

describe('a no-op sync of a PGLite brain with work under way or left over', () => {
  let corpus: Corpus;
  let history: History;
  beforeAll(async () => {
    corpus = await makeCorpus(corpusPages.pglite, 11);
    history = await makeHistory(corpus);
  });

  it('exits 75 while another process holds the brain, and after a kill -9 mid-import never believes the manifest for the killed source', async () => {
    await setBranch(corpus.dir, 'kill', corpus.head);
    const brain = await brainWithSource('pglite', 'big', corpus.dir, { branch: 'kill' });
    await withDb(brain, (db) => addSource(db, { name: 'small', repo: repo.dir, cwd: repoRoot }));
    expect((await sync(brain, ['--source', 'small'])).code).toBe(0);
    expectAnswered(await sync(brain, ['--source', 'small']));

    const big = await startCli(['sync', '--source', 'big', '--no-embed'], { db: brain });
    await waitForPhase(big, 'big', 'apply');
    await waitUntil('the manifest to show the run\'s lock', async () => (await readManifestFile(brain)).sources.find((s) => s.name === 'big')?.lock?.pid === big.pid, { alive: big });
    const busy = await runCli(['--debug', 'sync', '--source', 'small'], { db: brain });
    expect(busy.code, describeRun(busy)).toBe(75);
    expect(busy.stderr).toMatch(notAnswered(/another process holds the brain/));
    expect(busy.stderr).toMatch(/in use by pid \d+/);

    big.child.kill('SIGKILL');
    await waitForExit(big);
    // The first process after the crash takes over the dead holder's directory lock: the normal path decides.
    expectNormalPath(await sync(brain, ['--source', 'small']), /a brainsync died holding the brain/);
    expectAnswered(await sync(brain, ['--source', 'small']));
    // The killed run's lock is in the manifest (written before it wrote a page).
    const resumed = expectNormalPath(await sync(brain, ['--source', 'big', '--no-embed']), /the status manifest shows big locked by pid \d+/)[0];
    expect(resumed.status).toBe('synced');
    expectAnswered(await sync(brain, ['--source', 'big', '--no-embed']));
    expect(await brainPages(brain, 'big')).toEqual(await repoPages(corpus.dir, corpus.head));
  });

  it('takes the normal path for an unfinished run and for a backlog of chunks to embed (unless --no-embed)', async () => {
    await setBranch(corpus.dir, 'unfinished', history.base);
    const brain = await brainWithSource('pglite', 'notes', corpus.dir, { branch: 'unfinished' });
    expect((await sync(brain, ['--source', 'notes', '--no-embed'])).code).toBe(0);
    const pending = (await readManifestFile(brain)).sources[0].embedPending;
    expect(pending).toBeGreaterThan(0);
    // --no-embed: the recorded backlog is the count a normal run reports.
    expect(expectAnswered(await sync(brain, ['--source', 'notes', '--no-embed']))[0].counts.pending).toBe(pending);

    // A run stopped by its budget half-way to the big commit, then the branch goes back: tip = bookmark, but pages are ahead.
    await setBranch(corpus.dir, 'unfinished', history.full);
    const partial = await sync(brain, ['--source', 'notes', '--no-embed', '--timeout', '2']);
    expect(resultOf(partial), describeRun(partial)).toMatchObject({ status: 'partial', reason: 'timeout' });
    await setBranch(corpus.dir, 'unfinished', history.base);
    // (The pages the stopped run added go again: more than half of the source, hence --allow-mass-delete.)
    const back = expectNormalPath(await sync(brain, ['--source', 'notes', '--no-embed', '--allow-mass-delete']), /notes has an unfinished run/)[0];
    expect(back.status).toBe('synced');
    expectAnswered(await sync(brain, ['--source', 'notes', '--no-embed']));

    // Embedding on: the backlog needs the database.
    const embedded = expectNormalPath(await sync(brain, ['--source', 'notes']), /notes has \d+ chunks waiting for a vector/)[0];
    expect(embedded).toMatchObject({ status: 'up_to_date', counts: { pending: 0 } });
    expect(embedded.counts.embedded).toBeGreaterThan(0);
    expectAnswered(await sync(brain, ['--source', 'notes']));
    expect(await brainPages(brain, 'notes')).toEqual(await repoPages(corpus.dir, history.base));
  });
});
