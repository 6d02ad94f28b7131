import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeSource } from '../../src/core/removeSource.js';
import type { Db } from '../../src/db/Db.js';
import { claimLock } from '../../src/db/locksQueries.js';
import { listSources } from '../../src/db/sourcesQueries.js';
import { ConfigError } from '../../src/errors.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';
import { createRepo, makeTempDir, type TestRepo } from '../helpers/gitRepo.js';
import { add, note, pagesOf, sync } from '../helpers/sync.js';

describe.each(backends())('sources on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  beforeEach(async () => {
    db = await openTestDb(await freshBrain(backend));
    repo = await createRepo();
    await repo.write('notes/a.md', note('A'));
    await repo.commit('first');
  });
  afterEach(async () => {
    await db.close();
    await repo.cleanup();
  });

  it('adds a local source with the checked-out branch and lists it', async () => {
    const row = await add(db, 'team-notes', repo.dir, { subdir: '/notes/' });
    expect(row).toMatchObject({ name: 'team-notes', repo: repo.dir, repoKind: 'local', branch: 'main', subdir: 'notes' });
    expect((await listSources(db)).map((s) => s.name)).toEqual(['team-notes']);
  });

  it('adds a clone-URL source after checking its branch with ls-remote', async () => {
    const row = await add(db, 'remote', `file://${repo.dir}`);
    expect(row).toMatchObject({ repoKind: 'remote', branch: 'main' });
    await expect(add(db, 'remote2', `file://${repo.dir}`, { branch: 'nope' })).rejects.toThrow(
      /branch "nope" does not exist in file:\/\/.*It has: main/,
    );
  });

  it.runIf(process.getuid?.() === 0)('says how to let git read a repository another user owns', async () => {
    const other = await createRepo();
    await other.write('a.md', note('A'));
    await other.commit('first');
    spawnSync('chown', ['-R', '65534:65534', other.dir]);
    const err = await add(db, 'theirs', other.dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/cannot be read as a git repository: .*dubious ownership.*git config --global --add safe\.directory/);
    spawnSync('chown', ['-R', '0:0', other.dir]);
    await other.cleanup();
  });

  it('hides the password of a clone URL it cannot read', async () => {
    const err = await add(db, 'remote', 'https://ann:hunter2@127.0.0.1:1/notes.git').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/could not read branches from https:\/\/ann:\*\*\*@127\.0\.0\.1:1\/notes\.git/);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it.each([
    ['Upper', /not allowed: use lower-case letters/],
    ['-dash', /starting with a letter or digit/],
    ['a'.repeat(65), /65 characters long; the limit is 64/],
    ['', /cannot be empty/],
    ['sp ace', /not allowed/],
  ])('refuses the source name %j', async (name, message) => {
    await expect(add(db, name, repo.dir)).rejects.toThrow(message);
  });

  it('refuses a missing path, a file, a directory that is not a repository, an unknown branch, a bad subdir and a duplicate', async () => {
    const plain = await makeTempDir();
    await writeFile(join(plain, 'file.txt'), 'x');
    await mkdir(join(plain, 'dir'));
    await expect(add(db, 'x', join(plain, 'missing'))).rejects.toThrow(/does not exist\. Pass the path of a git repository/);
    await expect(add(db, 'x', join(plain, 'file.txt'))).rejects.toThrow(/is not a directory/);
    await expect(add(db, 'x', join(plain, 'dir'))).rejects.toThrow(/is not a git repository\. Run `git init` there first/);
    await expect(add(db, 'x', repo.dir, { branch: 'nope' })).rejects.toThrow(/branch "nope" does not exist in .*git -C/);
    await expect(add(db, 'x', repo.dir, { subdir: 'elsewhere' })).rejects.toThrow(/--subdir "elsewhere" is not a directory/);
    await expect(add(db, 'x', repo.dir, { subdir: '../up' })).rejects.toThrow(/must be a path inside the repository/);
    await add(db, 'x', repo.dir);
    const dup = add(db, 'x', repo.dir);
    await expect(dup).rejects.toBeInstanceOf(ConfigError);
    await expect(add(db, 'x', repo.dir)).rejects.toThrow(/already exists.*sources remove x --yes/);
  });

  it('removes a source and its pages only with confirmation', async () => {
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const dry = await removeSource(db, 'notes', false);
    expect(dry).toMatchObject({ removed: false, pages: 1 });
    expect(Object.keys(await pagesOf(db, 'notes'))).toHaveLength(1);
    const done = await removeSource(db, 'notes', true);
    expect(done.removed).toBe(true);
    expect(await listSources(db)).toEqual([]);
    const left = await db.query<{ n: number }>('select count(*)::int as n from pages');
    expect(left.rows[0].n).toBe(0);
    await expect(removeSource(db, 'notes', true)).rejects.toThrow(/no source named "notes"/);
  });

  it('removes a source whose lock a run that ended left behind, and refuses one a live run holds', async () => {
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const heldBy = (pid: number) => claimLock(db, {
      name: 'notes', token: `t${pid}`, runId: randomUUID(), host: hostname(), pid, command: 'brainsync sync', ttlSeconds: 60, takeOverAny: true,
    });
    if (backend === 'postgres') {
      // PGLite is one process at a time: only Postgres can have a live run beside this one.
      await heldBy(process.pid);
      await expect(removeSource(db, 'notes', true)).rejects.toThrow(/being synced by pid \d+.*nothing was removed/);
    }
    await heldBy(spawnSync('true').pid!); // exited: as a run killed with -9
    expect((await removeSource(db, 'notes', true)).removed).toBe(true);
    expect(await listSources(db)).toEqual([]);
  });
});
