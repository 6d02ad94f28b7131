import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate, readApplied, schemaDir } from '../../src/db/migrations.js';
import { openDb } from '../../src/db/openDb.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';
import { dumpSchema } from '../helpers/dumpSchema.js';

describe.each(backends())('migrations on %s', (backend) => {
  it('applies every migration once and is a no-op the second time', async () => {
    const brain = await freshBrain(backend, { empty: true });
    const db = await openTestDb(brain);
    try {
      const all = await loadMigrations();
      const first = await migrate(db);
      expect(first.applied).toEqual(all.map((m) => m.version));
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect((await readApplied(db))?.map((r) => r.version)).toEqual(all.map((m) => m.version));
    } finally {
      await db.close();
    }
  });

  it('produces exactly the committed schema snapshot', async () => {
    const brain = await freshBrain(backend, { empty: true });
    const db = await openTestDb(brain);
    try {
      await migrate(db);
      const file = new URL('../fixtures/schema.snapshot.txt', import.meta.url);
      const dump = await dumpSchema(db);
      if (process.env.BRAINSYNC_UPDATE_SNAPSHOT) await writeFile(file, dump);
      expect(dump).toBe(await readFile(file, 'utf8'));
    } finally {
      await db.close();
    }
  });

  it('refuses a brain whose applied migration file was edited', async () => {
    const brain = await freshBrain(backend, { empty: true });
    const db = await openTestDb(brain);
    try {
      await migrate(db);
      const edited = (await loadMigrations()).map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(db, edited)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it('refuses a brain newer than this binary, naming both versions', async () => {
    const brain = await freshBrain(backend, { empty: true });
    const db = await openTestDb(brain);
    try {
      const all = await loadMigrations();
      await migrate(db);
      const latest = all.at(-1)!.version;
      await db.query("insert into schema_migrations (version, name, checksum) values ($1, 'future', 'x')", [latest + 5]);
      await expect(migrate(db)).rejects.toThrow(`schema version ${latest + 5}, but this brainsync only knows versions up to ${latest}`);
    } finally {
      await db.close();
    }
  });

  it('migrates a brain that is behind when opened', async () => {
    const brain = await freshBrain(backend, { empty: true });
    const db = await openTestDb(brain);
    try {
      const all = await loadMigrations();
      const dir = await mkdtemp(join(tmpdir(), 'brainsync-mig-'));
      await cp(schemaDir, dir, { recursive: true });
      await writeFile(join(dir, '9000_extra.sql'), 'create table extra_thing (id int);');
      await migrate(db, all);
      const result = await migrate(db, await loadMigrations(dir));
      expect(result.applied).toEqual([9000]);
      const t = await db.query<{ t: string }>(`select to_regclass('extra_thing')::text as t`);
      expect(t.rows[0].t).toBe('extra_thing');
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!backends().includes('postgres'))('concurrent migration on postgres', () => {
  it('lets eight clients migrate one database at once, applying each file exactly once', async () => {
    const brain = await freshBrain('postgres', { empty: true });
    const dbs = await Promise.all(Array.from({ length: 8 }, () => openDb(brain.target)));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const all = await loadMigrations();
      const appliedAnywhere = results.flatMap((r) => r.applied).sort((a, b) => a - b);
      expect(appliedAnywhere).toEqual(all.map((m) => m.version));
      const rows = await dbs[0].query<{ n: number }>('select count(*)::int as n from schema_migrations');
      expect(rows.rows[0].n).toBe(all.length);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
