import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { syncMany } from '../../src/core/syncMany.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';
import { createRepo, makeTempDir, type TestRepo } from '../helpers/gitRepo.js';
import { add, note, pagesOf, syncOptions } from '../helpers/sync.js';
// @ts-expect-error plain JS bench module
import { createCorpusRepo } from '../../bench/corpus.mjs';

describe.each(backends())('sync --all on %s', (backend) => {
  let db: Db;
  let repos: TestRepo[];
  beforeEach(async () => {
    db = await openTestDb(await freshBrain(backend));
    repos = [];
  });
  afterEach(async () => {
    await db.close();
    for (const r of repos) await r.cleanup();
  });

  it('gives every source its own result, and one broken source never stops the others', async () => {
    for (const name of ['one', 'two', 'broken', 'three']) {
      const repo = await createRepo();
      repos.push(repo);
      await repo.write(`${name}.md`, note(name));
      await repo.commit(name);
      await add(db, name, repo.dir);
    }
    await rm(repos[2].dir, { recursive: true, force: true });
    const results = await syncMany(
      { db, signal: new AbortController().signal },
      ['one', 'two', 'broken', 'three'],
      syncOptions({ maxSources: 3, reposDir: await makeTempDir() }),
    );
    expect(results.map((r) => [r.source, r.status])).toEqual([
      ['one', 'synced'],
      ['two', 'synced'],
      ['broken', 'failed'],
      ['three', 'synced'],
    ]);
    expect(results[2].message).toMatch(/source "broken".*the other sources are not affected/);
    expect(Object.keys(await pagesOf(db, 'three'))).toEqual(['three.md']);
  });
});

describe.skipIf(!backends().includes('postgres'))('parallel import', () => {
  it('gives a Postgres brain with 4 workers exactly the brain a serial PGLite import gives', async () => {
    const dir = await makeTempDir('brainsync-corpus-');
    await createCorpusRepo(dir, { pages: 600, seed: 7 });
    const snapshots: string[][] = [];
    for (const [backend, workers] of [['pglite', 1], ['postgres', 4]] as const) {
      const db = await openTestDb(await freshBrain(backend));
      try {
        await add(db, 'corpus', dir);
        const [r] = await syncMany({ db, signal: new AbortController().signal }, ['corpus'],
          syncOptions({ workers, reposDir: await makeTempDir() }));
        expect(r.status).toBe('synced');
        const rows = await db.query<{ line: string }>(
          `select p.path || ' ' || p.blob_oid || ' ' || p.slug || ' ' ||
                  coalesce((select string_agg(c.ordinal || ':' || c.chunk_hash, ',' order by c.ordinal) from chunks c where c.page_id = p.id), '') ||
                  ' ' || coalesce((select string_agg(l.kind || '>' || l.target_slug, ',' order by l.kind, l.target_slug) from links l where l.page_id = p.id), '')
             as line from pages p order by p.path`,
        );
        snapshots.push(rows.rows.map((x) => x.line));
      } finally {
        await db.close();
      }
    }
    expect(snapshots[0].length).toBe(600);
    expect(snapshots[1]).toEqual(snapshots[0]);
  });
});
