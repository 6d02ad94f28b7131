import { join } from 'node:path';
import type { SourceResult } from '../../src/core/result.js';
import { syncMany } from '../../src/core/syncMany.js';
import type { SyncManyOptions } from '../../src/core/syncMany.js';
import type { SyncEvent } from '../../src/core/syncSource.js';
import { addSource } from '../../src/core/addSource.js';
import type { Db } from '../../src/db/Db.js';
import type { ProviderPool } from '../../src/embed/ProviderPool.js';
import { lockSettingsForTtl } from '../../src/locks/sourceLock.js';
import { afterEach, beforeEach } from 'vitest';
import { freshBrain, openTestDb, type BackendName } from './brains.js';
import { createRepo, makeTempDir, type TestRepo } from './gitRepo.js';

export function syncOptions(over: Partial<SyncManyOptions> = {}): SyncManyOptions {
  return {
    dryRun: false,
    full: false,
    pull: true,
    retryFailed: false,
    allowMassDelete: false,
    workers: 1,
    maxSources: 1,
    maxFileBytes: 1024 * 1024,
    lock: lockSettingsForTtl(60),
    reposDir: join(process.env.TMPDIR ?? '/tmp', 'brainsync-test-mirrors'),
    command: 'vitest',
    embed: true,
    ...over,
  };
}

export async function sync(
  db: Db,
  name: string,
  over: Partial<SyncManyOptions> & { signal?: AbortSignal; onEvent?: (e: SyncEvent) => void; models?: ProviderPool } = {},
): Promise<SourceResult> {
  const [r] = await syncMany(
    { db, signal: over.signal ?? new AbortController().signal, onEvent: over.onEvent, models: over.models },
    [name],
    syncOptions({ reposDir: await makeTempDir('brainsync-mirrors-'), ...over }),
  );
  return r;
}

export async function add(db: Db, name: string, repo: string, opts: { branch?: string; subdir?: string } = {}) {
  return addSource(db, { name, repo, cwd: process.cwd(), ...opts });
}

/** path → blob oid of a source's pages. */
export async function pagesOf(db: Db, source: string): Promise<Record<string, string>> {
  const res = await db.query<{ path: string; oid: string }>(
    `select p.path, p.blob_oid as oid from pages p join sources s on s.id = p.source_id where s.name = $1 order by p.path`,
    [source],
  );
  return Object.fromEntries(res.rows.map((r) => [r.path, r.oid]));
}

export async function failuresOf(db: Db, source: string): Promise<Record<string, string>> {
  const res = await db.query<{ path: string; code: string }>(
    `select f.path, f.code from sync_failures f join sources s on s.id = f.source_id where s.name = $1 order by f.path`,
    [source],
  );
  return Object.fromEntries(res.rows.map((r) => [r.path, r.code]));
}

export async function bookmarkOf(db: Db, source: string): Promise<string | null> {
  const res = await db.query<{ b: string | null }>('select bookmark_commit as b from sources where name = $1', [source]);
  return res.rows[0]?.b ?? null;
}

export function note(title: string, body = 'Some text.'): string {
  return `---\ntitle: ${title}\ntags: [test]\n---\n# ${title}\n\n${body}\n`;
}

/** Per test: a fresh brain on `backend` and a fresh git repository, closed and removed after it. */
export function useBrainAndRepo(backend: BackendName, set: (db: Db, repo: TestRepo) => void): void {
  let db: Db | undefined;
  let repo: TestRepo | undefined;
  beforeEach(async () => {
    db = await openTestDb(await freshBrain(backend));
    repo = await createRepo();
    set(db, repo);
  });
  afterEach(async () => {
    await db?.close();
    await repo?.cleanup();
  });
}

/**
 * An onEvent that holds the event loop past the run's deadline (`budgetMs` + 100 ms) as its
 * apply phase begins, as if lock, pull and plan had taken the whole budget: only the batch
 * every run is guaranteed gets written.
 */
export function lateApply(budgetMs: number): (e: SyncEvent) => void {
  return (e) => {
    if (e.type !== 'phase' || e.phase !== 'apply') return;
    const until = performance.now() + budgetMs + 100;
    while (performance.now() < until) {
      // busy: the budget's timers fire when this returns
    }
  };
}
