import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

describe.each(backends())('sync of ordinary changes on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('imports a first commit, then is up to date', async () => {
    await repo.write('a.md', note('A'));
    await repo.write('dir/b.markdown', note('B'));
    await repo.write('readme.txt', 'not markdown');
    const head = await repo.commit('first');
    await add(db, 'notes', repo.dir);
    const first = await sync(db, 'notes');
    expect(first.status).toBe('synced');
    expect(first.counts.imported).toBe(2);
    expect(first.changes).toEqual({ added: ['a.md', 'dir/b.markdown'], changed: [], deleted: [], renamed: [] });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'dir/b.markdown']);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
    const again = await sync(db, 'notes');
    expect(again.status).toBe('up_to_date');
    expect(again.counts.read).toBe(0);
    expect(again.changes).toBeUndefined();
  });

  it('leaves foreign keys in force after an import (PGLite skips their checks only inside its batches)', async () => {
    await repo.write('a.md', note('A', 'Some text [[B]] and more.'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    expect((await sync(db, 'notes')).status).toBe('synced');
    const role = await db.query<{ r: string }>('select current_setting($1) as r', ['session_replication_role']);
    expect(role.rows[0].r).toBe('origin');
    const orphan = db.query("insert into chunks (page_id, ordinal, text, chunk_hash) values (-1, 0, 'x', 'h')");
    await expect(orphan).rejects.toThrow(/foreign key/);
    const chunks = await db.query<{ n: number }>('select count(*)::int as n from chunks c join pages p on p.id = c.page_id');
    const all = await db.query<{ n: number }>('select count(*)::int as n from chunks');
    expect(all.rows[0].n).toBeGreaterThan(0);
    expect(chunks.rows[0].n).toBe(all.rows[0].n);
    await db.query("delete from pages where path = 'a.md'");
    expect((await db.query<{ n: number }>('select count(*)::int as n from chunks')).rows[0].n).toBe(0);
    expect((await db.query<{ n: number }>('select count(*)::int as n from links')).rows[0].n).toBe(0);
  });

  it('follows adds, modifications and deletes incrementally', async () => {
    await repo.write('a.md', note('A'));
    await repo.write('b.md', note('B'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.write('a.md', note('A', 'changed'));
    await repo.remove('b.md');
    await repo.write('c.md', 'Completely different content, so git sees no rename.\n');
    await repo.commit('second');
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('diff');
    expect(r.counts).toMatchObject({ imported: 2, deleted: 1, read: 2 });
    expect(r.changes).toEqual({ added: ['c.md'], changed: ['a.md'], deleted: ['b.md'], renamed: [] });
    const pages = await pagesOf(db, 'notes');
    expect(Object.keys(pages)).toEqual(['a.md', 'c.md']);
    const body = await db.query<{ body: string }>("select body from pages where path = 'a.md'");
    expect(body.rows[0].body).toContain('changed');
  });

  it('keeps page identity and chunks across a rename, and re-imports a rename with edits', async () => {
    await repo.write('old.md', note('Old', 'A paragraph that is long enough to be recognised as the same file. '.repeat(5)));
    await repo.write('keep.md', note('Keep', 'Another paragraph with quite some unique text in it. '.repeat(5)));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const ids = await db.query<{ path: string; id: number }>('select path, id from pages order by path');
    const idOf = Object.fromEntries(ids.rows.map((r) => [r.path, r.id]));
    await repo.rename('old.md', 'moved/new.md');
    await repo.rename('keep.md', 'kept.md');
    await repo.write('kept.md', note('Keep', 'Another paragraph with quite some unique text in it. '.repeat(5) + 'Plus an edit.'));
    await repo.commit('renames');
    const r = await sync(db, 'notes');
    expect(r.counts.renamed).toBe(2);
    expect(r.counts.imported).toBe(1);
    expect(r.counts.skipped).toBe(1);
    // The edited rename is both: moved, then its new content written.
    expect(r.changes).toEqual({
      added: [], changed: ['kept.md'], deleted: [],
      renamed: expect.arrayContaining([{ from: 'old.md', to: 'moved/new.md' }, { from: 'keep.md', to: 'kept.md' }]),
    });
    const after = await db.query<{ path: string; id: number; slug: string }>('select path, id, slug from pages order by path');
    expect(after.rows).toEqual([
      { path: 'kept.md', id: idOf['keep.md'], slug: 'kept' },
      { path: 'moved/new.md', id: idOf['old.md'], slug: 'moved/new' },
    ]);
    const chunks = await db.query<{ n: number }>('select count(*)::int as n from chunks where page_id = $1', [idOf['old.md']]);
    expect(chunks.rows[0].n).toBeGreaterThan(0);
  });

  it('treats a file moved out of the subdirectory as deleted', async () => {
    await repo.write('notes/a.md', note('A'));
    await repo.write('notes/b.md', note('B'));
    await repo.write('other/c.md', note('C'));
    await repo.commit('first');
    await add(db, 'sub', repo.dir, { subdir: 'notes' });
    await sync(db, 'sub');
    expect(Object.keys(await pagesOf(db, 'sub'))).toEqual(['a.md', 'b.md']);
    await repo.rename('notes/b.md', 'other/b.md');
    await repo.commit('move out');
    const r = await sync(db, 'sub');
    expect(r.counts.deleted).toBe(1);
    expect(Object.keys(await pagesOf(db, 'sub'))).toEqual(['a.md']);
  });

  it('syncs the configured branch, not the checked-out one', async () => {
    await repo.write('main.md', note('Main'));
    await repo.commit('main');
    await repo.git(['checkout', '-q', '-b', 'drafts']);
    await repo.write('draft.md', note('Draft'));
    const draftHead = await repo.commit('draft');
    await repo.git(['checkout', '-q', 'main']);
    await add(db, 'drafts', repo.dir, { branch: 'drafts' });
    await add(db, 'main', repo.dir);
    await sync(db, 'drafts');
    await sync(db, 'main');
    expect(Object.keys(await pagesOf(db, 'drafts'))).toEqual(['draft.md', 'main.md']);
    expect(Object.keys(await pagesOf(db, 'main'))).toEqual(['main.md']);
    expect(await bookmarkOf(db, 'drafts')).toBe(draftHead);
  });

  it('never lets uncommitted edits in the working tree reach the brain', async () => {
    await repo.write('a.md', note('A', 'committed'));
    await repo.commit('first');
    await repo.write('a.md', note('A', 'UNCOMMITTED'));
    await repo.write('untracked.md', note('Untracked'));
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md']);
    const body = await db.query<{ body: string }>("select body from pages where path = 'a.md'");
    expect(body.rows[0].body).toContain('committed');
    expect(body.rows[0].body).not.toContain('UNCOMMITTED');
  });

  it('honours .brainsyncignore, and a change to it re-plans the whole tree', async () => {
    await repo.write('.brainsyncignore', 'drafts/\n');
    await repo.write('a.md', note('A'));
    await repo.write('drafts/d.md', note('D'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md']);
    await repo.write('.brainsyncignore', '');
    await repo.commit('unignore');
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('full');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'drafts/d.md']);
  });

  it('writes nothing on --dry-run and reports the plan', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes', { dryRun: true });
    expect(r.status).toBe('dry_run');
    expect(r.plan?.imports).toEqual(['a.md']);
    expect(await pagesOf(db, 'notes')).toEqual({});
    expect(await bookmarkOf(db, 'notes')).toBeNull();
    const locks = await db.query<{ n: number }>('select count(*)::int as n from sync_locks');
    expect(locks.rows[0].n).toBe(0);
  });
  it('syncs the tip an earlier pull of this process pinned, not a commit made since (the no-op check hands its pull over)', async () => {
    await repo.write('a.md', note('A'));
    const pinned = await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await repo.write('b.md', note('B'));
    await repo.commit('after the pull');
    const collected = { repoDir: repo.dir, target: pinned, pull: 'pulled' as const };
    const pulled = new Map([['notes', { name: 'notes', repo: repo.dir, repoKind: 'local' as const, branch: 'main', collected }]]);
    const r = await sync(db, 'notes', { pulled });
    expect(r).toMatchObject({ status: 'synced', target: pinned, pull: 'pulled', counts: { imported: 1 } });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md']);
    // An earlier pull of another branch is not this source's: the run reads the branch itself.
    const other = new Map([['notes', { ...pulled.get('notes')!, branch: 'other' }]]);
    expect(await sync(db, 'notes', { pulled: other })).toMatchObject({ status: 'synced', counts: { imported: 1 } });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'b.md']);
  });
});
