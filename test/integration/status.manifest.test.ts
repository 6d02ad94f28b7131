import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runWave, type WaveOptions } from '../../src/core/runWave.js';
import type { SourceResult } from '../../src/core/result.js';
import type { SyncEvent } from '../../src/core/syncSource.js';
import type { Db } from '../../src/db/Db.js';
import { NotFoundError } from '../../src/errors.js';
import { acquireSourceLock, lockSettingsForTtl } from '../../src/locks/sourceLock.js';
import { ManifestWriter, manifestLockKey } from '../../src/status/ManifestWriter.js';
import { parseManifest, type Manifest } from '../../src/status/manifest.js';
import pg from 'pg';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';
import { waitUntil } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { createRepo, makeTempDir } from '../helpers/gitRepo.js';
import { add, note, syncOptions, useBrainAndRepo } from '../helpers/sync.js';

describe.each(backends())('the status manifest on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  let dir: string;
  useBrainAndRepo(backend, (d, r) => {
    db = d;
    repo = r;
  });
  beforeEach(async () => {
    dir = await makeTempDir('brainsync-manifest-');
  });

  const target = () => ({ kind: backend, display: db.target });

  async function wave(over: Partial<WaveOptions> = {}, deps: { onResult?: (r: SourceResult) => unknown; events?: SyncEvent[] } = {}) {
    const reposDir = await makeTempDir('brainsync-mirrors-');
    return runWave(
      {
        db, signal: new AbortController().signal,
        onEvent: (e) => deps.events?.push(e),
        onResult: deps.onResult as ((r: SourceResult) => void) | undefined,
      },
      {
        ...syncOptions({ reposDir, embed: false }),
        sources: ['notes'], all: false, breakLock: null, maxAgeSeconds: 60,
        manifest: { path: join(dir, 'status.json'), version: '9.9.9', target: target(), reposDir },
        ...over,
      },
    );
  }

  async function manifest(): Promise<Manifest> {
    return parseManifest(await readFile(join(dir, 'status.json'), 'utf8'));
  }

  it('is written after the wave\'s runs from the database\'s state: bookmark, tip, last run, failures, backlog', async () => {
    await repo.write('a.md', note('A', 'One paragraph.\n\n## Two\n\nAnother.'));
    await repo.write('b.md', note('B'));
    await repo.write('zz-bad.md', '---\ntitle: [unclosed\n---\nbody\n');
    await repo.write('aa-bad.md', '---\ntitle: [unclosed\n---\nbody\n');
    const head = await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await add(db, 'idle', repo.dir);
    const { results: [r] } = await wave();
    expect(r.status).toBe('synced');

    const m = await manifest();
    expect(m).toMatchObject({ format: 1, version: '9.9.9', brain: { target: db.target, kind: backend }, writer: { pid: process.pid } });
    expect(m.brain.systemIdentifier).toMatch(/^\d+$/);
    expect(m.sources.map((s) => s.name)).toEqual(['idle', 'notes']);
    const queued = await db.query<{ n: number }>(
      'select count(*)::int as n from embed_queue q join sources s on s.id = q.source_id where s.name = $1', ['notes'],
    );
    expect(queued.rows[0].n).toBeGreaterThan(0);
    expect(m.sources[1]).toMatchObject({
      bookmark: head, tip: head, commitsBehind: 0,
      lastRun: { runId: r.runId, status: 'synced', reason: null, durationMs: r.timings.totalMs, counts: { imported: 2, failed: 2 } },
      failedFiles: 2, failedPaths: ['aa-bad.md', 'zz-bad.md'],
      embedPending: queued.rows[0].n,
      lock: null,
    });
    expect(m.sources[1].lastSuccessAt).toBe(m.sources[1].lastRun!.finishedAt);
    expect(m.sources[0]).toMatchObject({ bookmark: null, tip: null, lastRun: null, lastSuccessAt: null, failedFiles: 0, embedPending: 0 });
  });

  it('counts the commits between the bookmark and the tip a later run saw (a dry run leaves the bookmark behind, and is not the last run)', async () => {
    await repo.write('a.md', note('A'));
    const first = await repo.commit('one');
    await add(db, 'notes', repo.dir);
    const { results: [synced] } = await wave();
    await repo.write('b.md', note('B'));
    await repo.commit('two');
    await repo.write('c.md', note('C'));
    const third = await repo.commit('three');
    const { results: [dry] } = await wave({ dryRun: true });
    expect(dry.status).toBe('dry_run');
    const [s] = (await manifest()).sources;
    // A dry run changes nothing, status included: the last run is still the one that synced
    // (a failed run before a dry run would still show, and still alert).
    expect(s).toMatchObject({ bookmark: first, tip: third, commitsBehind: 2, lastRun: { runId: synced.runId, status: 'synced' } });
    expect(s.lastSuccessAt).toBe(s.lastRun!.finishedAt);
    const runs = await db.query<{ status: string }>('select status from sync_runs order by finished_at');
    expect(runs.rows.map((r) => r.status)).toEqual(['synced', 'dry_run']);
  });

  it('shows a held lock with its holder, and none once it is released', async () => {
    await repo.commit('empty');
    await add(db, 'notes', repo.dir);
    const writer = new ManifestWriter(db, { path: join(dir, 'status.json'), version: '9.9.9', target: target() });
    const got = await acquireSourceLock(db, 'notes', { settings: lockSettingsForTtl(60), command: 'test' });
    if (!got.ok) throw new Error('lock not acquired');
    await writer.write();
    expect((await manifest()).sources[0].lock).toMatchObject({ host: hostname(), pid: process.pid, runId: got.lock.runId, expired: false });
    await got.lock.release();
    await writer.write();
    expect((await manifest()).sources[0].lock).toBeNull();
  });

  it('shows the lock of a run that has work before the run plans or writes anything', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('one');
    await add(db, 'notes', repo.dir);
    const seen: unknown[] = [];
    const reposDir = await makeTempDir('brainsync-mirrors-');
    await runWave(
      {
        db, signal: new AbortController().signal,
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'plan') seen.push(parseManifest(readFileSync(join(dir, 'status.json'), 'utf8')).sources[0].lock);
        },
      },
      {
        ...syncOptions({ reposDir }), sources: ['notes'], all: false, breakLock: null, maxAgeSeconds: 60,
        manifest: { path: join(dir, 'status.json'), version: '9.9.9', target: target() },
      },
    );
    expect(seen).toEqual([expect.objectContaining({ host: hostname(), pid: process.pid })]);
    expect((await manifest()).sources[0].lock).toBeNull();
  });

  it('calls onResult once per source as it finishes; a throwing onResult is a warning and the result stands', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('one');
    await add(db, 'notes', repo.dir);
    await add(db, 'more', repo.dir);
    const heard: string[] = [];
    const events: SyncEvent[] = [];
    const { results } = await wave({ sources: [], all: true }, {
      events,
      onResult: async (r) => {
        heard.push(`${r.source}:${r.status}`);
        if (r.source === 'more') throw new Error('hook broke');
      },
    });
    expect(heard.sort()).toEqual(['more:synced', 'notes:synced']);
    expect(results.map((r) => r.status)).toEqual(['synced', 'synced']);
    expect(events).toContainEqual({ type: 'warning', source: 'more', message: 'after the run: hook broke' });
  });

  it('that cannot be written only warns: the run stands', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('one');
    await add(db, 'notes', repo.dir);
    const events: SyncEvent[] = [];
    const { results: [r] } = await wave({ manifest: { path: '/dev/null/status.json', version: '9.9.9', target: target() } }, { events });
    expect(r.status).toBe('synced');
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'status', message: expect.stringMatching(/could not write the status manifest \/dev\/null\/status.json/) });
  });

  it('refuses an unknown source before any run, and writes nothing', async () => {
    await repo.commit('empty');
    await add(db, 'notes', repo.dir);
    await expect(wave({ sources: ['notes', 'nope'] })).rejects.toThrow(NotFoundError);
    await expect(readFile(join(dir, 'status.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.skipIf(!backends().includes('postgres'))('manifest writers on one Postgres', () => {
  it('serialise on an advisory lock: a writer reads the state only once the writer before it has renamed its file', async () => {
    const brain = await freshBrain('postgres');
    const db = await openTestDb(brain);
    const other = await openTestDb(brain);
    const holder = new pg.Client({ connectionString: brain.arg });
    await holder.connect();
    const dir = await makeTempDir('brainsync-manifest-');
    try {
      const repo = await createRepo();
      await repo.commit('empty');
      await add(db, 'early', repo.dir);
      // Another process in the middle of its rewrite: it holds the lock.
      await holder.query('select pg_advisory_lock($1)', [manifestLockKey]);
      const writer = new ManifestWriter(db, { path: join(dir, 'status.json'), version: '9.9.9', target: { kind: 'postgres', display: db.target } });
      const writing = writer.write();
      await waitUntil('the writer to wait for the lock', async () =>
        (await other.query<{ n: number }>("select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted")).rows[0].n === 1,
        { timeoutMs: 10_000 });
      // A change committed while it waits, as the other process's own change would be.
      await add(other, 'late', repo.dir);
      await holder.query('select pg_advisory_unlock($1)', [manifestLockKey]);
      await writing;
      const m = parseManifest(await readFile(join(dir, 'status.json'), 'utf8'));
      expect(m.sources.map((s) => s.name)).toEqual(['early', 'late']);
      await repo.cleanup();
    } finally {
      await holder.end();
      await other.close();
      await db.close();
    }
  });
});
