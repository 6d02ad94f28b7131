import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDbTarget, type DbTarget } from '../../../src/db/target.js';
import { acquireDirLock } from '../../../src/locks/dirLock.js';
import { readDataStamp, writeDataStamp } from '../../../src/status/dataStamp.js';
import type { Manifest } from '../../../src/status/manifest.js';
import { readManifest } from '../../../src/status/readManifest.js';
import { manifestFixture } from './manifestFixture.js';

/**
 * readManifest on a PGLite brain: a manifest is believed only beside the data it was written
 * with — the cluster identifier in pg_control and the data stamp in the directory (no PGLite).
 */
describe('readManifest (PGLite)', () => {
  let root: string;
  let dir: string;
  let target: DbTarget;
  const path = () => `${dir}.status.json`;
  const identifier = 7714212789408989226n;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bs-readmanifest-'));
    dir = join(root, 'brain');
    target = { kind: 'pglite', dir, display: dir };
    await mkdir(join(dir, 'global'), { recursive: true });
    const control = Buffer.alloc(16);
    control.writeBigUInt64LE(identifier, 0);
    await writeFile(join(dir, 'global', 'pg_control'), control);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function leave(stampInManifest: string | undefined, stampInDir: string | null): Promise<void> {
    const m: Manifest = manifestFixture(new Date(), [{}], dir);
    m.brain.systemIdentifier = identifier.toString();
    if (stampInManifest !== undefined) m.brain.dataStamp = stampInManifest;
    await writeFile(path(), JSON.stringify(m));
    if (stampInDir === null) await rm(join(dir, 'brainsync.stamp'), { force: true });
    else await writeDataStamp(dir, stampInDir);
  }

  it('believes a manifest whose stamp is the one in the directory', async () => {
    await leave('2026-12-03T10:00:00.000Z 0011223344556677', '2026-12-03T10:00:00.000Z 0011223344556677');
    expect(await readDataStamp(dir)).toBe('2026-12-03T10:00:00.000Z 0011223344556677');
    expect(await readManifest(target, path())).toMatchObject({ ok: true });
  });

  it('refuses a manifest written after the data now there (a restored copy), or one that names no stamp', async () => {
    await leave('newer', 'older');
    expect(await readManifest(target, path())).toEqual({ ok: false, why: expect.stringMatching(/does not match the data now in .*brain \(the directory was restored or copied since/) });
    await leave('newer', null);
    expect(await readManifest(target, path())).toMatchObject({ ok: false, why: expect.stringMatching(/does not match the data now in/) });
    await leave(undefined, 'older');
    expect(await readManifest(target, path())).toMatchObject({ ok: false, why: expect.stringMatching(/\(brainsync 0\.1\.0\) does not say which state of .*brain it describes/) });
  });

  it('believes a manifest and a directory that no stamping brainsync has written yet (just upgraded), as before', async () => {
    await leave(undefined, null);
    expect(await readManifest(target, path())).toMatchObject({ ok: true });
    // A stamp of null is a writer's answer (not PGLite), never a match for a missing file.
    await leave(null as unknown as string, null);
    expect(await readManifest(target, path())).toMatchObject({ ok: false });
  });

  it('believes a differing stamp while a live process holds the brain, only when asked to (status, not the no-op check)', async () => {
    await leave('newer', 'older');
    expect(await readManifest(target, path(), { believeWhileHeld: true })).toMatchObject({ ok: false });
    const lock = await acquireDirLock(dir, 'test');
    try {
      expect(await readManifest(target, path(), { believeWhileHeld: true })).toMatchObject({ ok: true });
      expect(await readManifest(target, path())).toMatchObject({ ok: false });
    } finally {
      await lock.release();
    }
    // A lock file left by a process that is gone holds nothing.
    await writeFile(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'sync', since: '', token: 'x' }));
    expect(await readManifest(target, path(), { believeWhileHeld: true })).toMatchObject({ ok: false });
    await rm(`${dir}.lock`);
  });
});

/**
 * readManifest on a Postgres brain: the file is named by host, port and database, and so is the
 * brain it describes — whoever wrote it, through whichever spelling of the URL.
 */
describe('readManifest (Postgres)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bs-readmanifest-pg-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function written(by: string): Promise<string> {
    const m: Manifest = manifestFixture(new Date(), [{}], resolveDbTarget({ flag: by, env: {} }).display);
    m.brain.kind = 'postgres';
    m.brain.systemIdentifier = '7714212789408989226';
    m.brain.dataStamp = null;
    const path = join(root, 'manifest.json');
    await writeFile(path, JSON.stringify(m));
    return path;
  }
  const reader = (url: string) => readManifest(resolveDbTarget({ flag: url, env: {} }), join(root, 'manifest.json'));

  it('believes a manifest written by another user or through another spelling of the same database\'s URL', async () => {
    await written('postgres://cron:secret@db.internal:5432/brain');
    for (const url of [
      'postgres://cron:secret@db.internal:5432/brain',
      'postgres://ro:other@db.internal:5432/brain',
      'postgresql://cron@DB.internal/brain?application_name=x&sslmode=prefer',
      'postgres://db.internal/brain',
    ]) {
      expect(await reader(url), url).toMatchObject({ ok: true });
    }
    await written('postgres:///brain?host=/run/postgresql');
    expect(await reader('postgresql:///brain?host=%2Frun%2Fpostgresql&application_name=cron')).toMatchObject({ ok: true });
  });

  it('refuses a manifest of another host, port, database or socket directory, or of a PGLite brain', async () => {
    await written('postgres://cron:secret@db.internal:5432/brain');
    for (const url of [
      'postgres://cron:secret@db.internal:5433/brain',
      'postgres://cron:secret@db2.internal:5432/brain',
      'postgres://cron:secret@db.internal:5432/brain2',
      'postgres://cron:secret@db.internal:5432/brain?host=/run/postgresql',
    ]) {
      expect(await reader(url), url).toEqual({ ok: false, why: expect.stringMatching(/describes another brain \(postgres:\/\/cron:\*\*\*@db\.internal:5432\/brain\)/) });
    }
    const m: Manifest = manifestFixture(new Date(), [{}], 'postgres://cron:***@db.internal:5432/brain');
    await writeFile(join(root, 'manifest.json'), JSON.stringify(m));
    expect(await reader('postgres://cron:secret@db.internal:5432/brain')).toMatchObject({ ok: false });
  });
});
