import { rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, failuresOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

/** A file name as raw bytes: `latin1` writes é as the single byte 0xE9, which is not UTF-8. */
const rawName = (repo: TestRepo, name: string) => Buffer.concat([Buffer.from(`${repo.dir}/`), Buffer.from(name, 'latin1')]);

describe.each(backends())('file names that are not UTF-8 on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('records each as a bad_path failure under its own \\xHH name, never as one shared page', async () => {
    await repo.write('good.md', note('Good'));
    await writeFile(rawName(repo, 'caf\xe9-name.md'), note('E acute'));
    await writeFile(rawName(repo, 'caf\xe8-name.md'), note('E grave'));
    const head = await repo.commit('latin-1 names');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(await failuresOf(db, 'notes')).toEqual({ 'caf\\xe8-name.md': 'bad_path', 'caf\\xe9-name.md': 'bad_path' });
    expect(r.failures.map((f) => f.path).sort()).toEqual(['caf\\xe8-name.md', 'caf\\xe9-name.md']);
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['good.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(head);

    const again = await sync(db, 'notes', { full: true });
    expect(again.counts.failed).toBe(0);

    await rm(rawName(repo, 'caf\xe9-name.md'));
    await repo.commit('remove one');
    const removed = await sync(db, 'notes');
    expect(removed.status).toBe('synced');
    expect(removed.counts.deleted).toBe(0);
    expect(await failuresOf(db, 'notes')).toEqual({ 'caf\\xe8-name.md': 'bad_path' });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['good.md']);
  });
});
