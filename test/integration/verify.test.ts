import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { verifySources, type VerifyResult } from '../../src/core/verifySources.js';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import { makeTempDir, type TestRepo } from '../helpers/gitRepo.js';
import { add, note, sync, useBrainAndRepo } from '../helpers/sync.js';

const drift = (r: VerifyResult) => ({ missing: r.missing, extra: r.extra, outdated: r.outdated });

describe.each(backends())('verify on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  const verifyOne = async (name: string, reposDir?: string) =>
    (await verifySources(db, [name], { reposDir: reposDir ?? (await makeTempDir('brainsync-mirrors-')) }))[0];

  /** A source under `notes/` with an ignore file, an image, a bad file and a symlink, synced. */
  async function syncedSource(): Promise<string> {
    await repo.write('outside.md', note('Outside the subdirectory'));
    await repo.write('notes/a.md', note('A'));
    await repo.write('notes/dir/b.md', note('B'));
    await repo.write('notes/private/secret.md', note('Secret'));
    await repo.write('notes/.brainsyncignore', 'private/\n');
    await repo.write('notes/image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await repo.write('notes/bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.symlink('notes/link.md', 'a.md');
    const head = await repo.commit('first');
    await add(db, 'notes', repo.dir, { subdir: 'notes' });
    expect((await sync(db, 'notes')).status).toBe('synced');
    return head;
  }

  it('finds a synced brain clean, with a subdirectory, an ignore file and file failures accounted for', async () => {
    const head = await syncedSource();
    const r = await verifyOne('notes');
    expect(r).toMatchObject({ source: 'notes', bookmark: head, status: 'clean', clean: true, failed: 2, pages: 2, files: 4 });
    expect(drift(r)).toEqual({ missing: [], extra: [], outdated: [] });
  });

  it('compares with the bookmark, not with commits made since', async () => {
    await syncedSource();
    await repo.write('notes/new.md', note('New'));
    await repo.remove('notes/a.md');
    await repo.commit('not synced yet');
    expect((await verifyOne('notes')).status).toBe('clean');
  });

  it('reports a deleted page as missing, an inserted one as extra and a changed blob as out of date', async () => {
    await syncedSource();
    const [{ id }] = (await db.query<{ id: number }>("select id from sources where name = 'notes'")).rows;
    await db.query("delete from pages where source_id = $1 and path = 'a.md'", [id]);
    await db.query("update pages set blob_oid = $2 where source_id = $1 and path = 'dir/b.md'", [id, 'f'.repeat(40)]);
    for (const path of ['zz.md', 'private/secret.md', 'image.png']) {
      await db.query(
        `insert into pages (source_id, path, slug, title, body, blob_oid, content_hash) values ($1, $2, $2, 'x', 'x', $3, 'x')`,
        [id, path, 'e'.repeat(40)],
      );
    }
    const r = await verifyOne('notes');
    expect(r).toMatchObject({ status: 'drift', clean: false, failed: 2, pages: 4 });
    expect(drift(r)).toEqual({ missing: ['a.md'], extra: ['image.png', 'private/secret.md', 'zz.md'], outdated: ['dir/b.md'] });
  });

  it('treats a page that keeps its last good version after a failed edit as failed, not out of date', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('good');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.write('a.md', '---\ntitle: [broken\n---\n');
    await repo.commit('broken');
    await sync(db, 'notes');
    expect(await verifyOne('notes')).toMatchObject({ status: 'clean', failed: 1, pages: 1 });
    // A missing failure record is drift: the stale page is no longer explained.
    await db.query('delete from sync_failures');
    expect(drift(await verifyOne('notes'))).toEqual({ missing: [], extra: [], outdated: ['a.md'] });
  });

  it('says when a source has no bookmark, and when an unfinished run has written past it', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    expect(await verifyOne('notes')).toMatchObject({ status: 'no_bookmark', clean: false, bookmark: null });
    await sync(db, 'notes');
    await db.query("update sources set pending_targets = array['0123456789012345678901234567890123456789']");
    await db.query('delete from pages');
    expect(await verifyOne('notes')).toMatchObject({ status: 'drift', missing: ['a.md'], unfinishedRun: true });
  });

  it('reports a bookmark that git no longer has, or a repository that is gone, as errors and goes on', async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('first');
    await add(db, 'gone', repo.dir);
    await add(db, 'lost', repo.dir);
    await add(db, 'ok', repo.dir);
    for (const s of ['gone', 'lost', 'ok']) await sync(db, s);
    await db.query("update sources set bookmark_commit = $1 where name = 'lost'", ['1'.repeat(40)]);
    await db.query("update sources set repo = '/nonexistent/brainsync-repo' where name = 'gone'");
    const rs = await verifySources(db, [], { reposDir: await makeTempDir() });
    expect(rs.map((r) => [r.source, r.status])).toEqual([['gone', 'error'], ['lost', 'error'], ['ok', 'clean']]);
    expect(rs[0].message).toMatch(/the repository \/nonexistent\/brainsync-repo does not exist/);
    expect(rs[1].message).toMatch(/bookmark commit 111111111111 is not in/);
    await expect(verifySources(db, ['ok', 'nope'], { reposDir: '/tmp' })).rejects.toThrow(/no source named "nope"/);
  });

  it("verifies a clone-URL source against brainsync's mirror", async () => {
    await repo.write('a.md', note('A'));
    await repo.commit('first');
    await add(db, 'remote', `file://${repo.dir}`);
    const mirrors = await makeTempDir();
    await sync(db, 'remote', { reposDir: mirrors });
    expect(await verifyOne('remote', mirrors)).toMatchObject({ status: 'clean', pages: 1 });
    await rm(mirrors, { recursive: true });
    expect((await verifyOne('remote', mirrors)).message).toMatch(/brainsync's mirror of remote .* does not exist/);
  });

  it('reports every page as extra when the subdirectory is gone at the bookmark', async () => {
    await syncedSource();
    await repo.git(['rm', '-rq', 'notes']);
    const head = await repo.commit('subdir gone');
    await db.query("update sources set bookmark_commit = $1 where name = 'notes'", [head]);
    const r = await verifyOne('notes');
    expect(r).toMatchObject({ status: 'drift', extra: ['a.md', 'dir/b.md'], files: 0 });
    expect(r.message).toMatch(/subdirectory notes\/ does not exist at the bookmark/);
  });
});
