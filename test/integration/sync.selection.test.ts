import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import { runTestGit, type TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, failuresOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

async function slugsOf(db: Db, source: string): Promise<Record<string, string>> {
  const res = await db.query<{ path: string; slug: string }>(
    'select p.path, p.slug from pages p join sources s on s.id = p.source_id where s.name = $1 order by p.path',
    [source],
  );
  return Object.fromEntries(res.rows.map((r) => [r.path, r.slug]));
}

describe.each(backends())('which files are pages, on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('deletes no page when 60 images go, so the mass-delete guard does not fire', async () => {
    for (let i = 0; i < 10; i++) await repo.write(`n/${i}.md`, note(`N${i}`));
    for (let i = 0; i < 60; i++) await repo.write(`assets/${i}.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47, i]));
    await repo.commit('pages and images');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.git(['rm', '-rq', 'assets']);
    const head = await repo.commit('drop images');
    const dry = await sync(db, 'notes', { dryRun: true });
    expect(dry.plan?.deletes).toEqual([]);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(r.counts.deleted).toBe(0);
    expect(Object.keys(await pagesOf(db, 'notes'))).toHaveLength(10);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
  });

  it('deletes the pages a new .brainsyncignore rule excludes', async () => {
    await repo.write('public.md', note('Public'));
    await repo.write('private/a.md', note('Secret A'));
    await repo.write('private/b.md', note('Secret B'));
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.write('.brainsyncignore', 'private/\n');
    await repo.commit('keep private notes out');
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(r.counts.deleted).toBe(2);
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['public.md']);
  });

  it('deletes the page of a file that became a symbolic link, and records the link', async () => {
    await repo.write('target.md', note('Target'));
    await repo.write('page.md', note('Page'));
    await repo.commit('two pages');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.remove('page.md');
    await repo.symlink('page.md', 'target.md');
    await repo.commit('page becomes a link');
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('diff');
    expect(r.counts.deleted).toBe(1);
    expect(await failuresOf(db, 'notes')).toEqual({ 'page.md': 'symlink' });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['target.md']);
  });

  it('deletes pages that an unfinished run imported under an ignore file that is back to excluding them', async () => {
    await repo.write('public.md', note('Public'));
    await repo.write('private/a.md', note('Secret'));
    await repo.write('.brainsyncignore', 'private/\n');
    const v1 = await repo.commit('v1');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    // an earlier run, with the rule removed, imported private/a.md and stopped before its bookmark
    await repo.write('.brainsyncignore', '# nothing ignored\n');
    const v2 = await repo.commit('v2');
    await sync(db, 'notes');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['private/a.md', 'public.md']);
    await db.query('update sources set bookmark_commit = $1, pending_targets = array[$2]', [v1, v2]);
    // ...and the rule then came back
    await repo.git(['revert', '--no-edit', 'HEAD']);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['public.md']);
  });

  it('fails the run, writing nothing, when .brainsyncignore is over the size limit', async () => {
    await repo.write('public.md', note('Public'));
    await repo.write('private/a.md', note('Secret'));
    await repo.write('.brainsyncignore', `${'# padding line for a long ignore file\n'.repeat(30_000)}private/\n`);
    await repo.commit('huge ignore file');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/^source "notes": \.brainsyncignore at commit [0-9a-f]{12} is 1\.\d MiB, over the 1\.0 MiB limit.*Nothing was synced.*Shorten it/);
    expect(await pagesOf(db, 'notes')).toEqual({});
    expect(await bookmarkOf(db, 'notes')).toBeNull();
  });

  it('fails the run, deleting nothing, when the source\'s --subdir is gone from the branch; syncs again once it is back', async () => {
    await repo.write('notes/a.md', note('A'));
    await repo.write('notes/b.md', note('B'));
    await repo.write('other.md', note('Other'));
    const first = await repo.commit('notes');
    await add(db, 'notes', repo.dir, { subdir: 'notes' });
    expect((await sync(db, 'notes')).status).toBe('synced');

    // Renamed by case only: on a case-sensitive tree, a directory like any other.
    await runTestGit(repo.dir, ['mv', 'notes', 'Notes']);
    const moved = await repo.commit('rename the directory');
    for (const full of [false, true]) {
      const r = await sync(db, 'notes', { full });
      expect(r.status).toBe('failed');
      expect(r.message).toMatch(new RegExp(`^source "notes": its directory "notes" is not in branch "\\S+" at ${moved.slice(0, 12)} \\(renamed or removed\\?\\), so nothing was synced and nothing deleted\\. Restore the directory`));
    }
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'b.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(first);

    await runTestGit(repo.dir, ['mv', 'Notes', 'notes']);
    await repo.write('notes/c.md', note('C'));
    await repo.commit('back, and one more');
    expect((await sync(db, 'notes')).status).toBe('synced');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'b.md', 'c.md']);
  });

  it('fails the run when .brainsyncignore is a symbolic link', async () => {
    await repo.write('private/a.md', note('Secret'));
    await repo.write('shared-ignore', 'private/\n');
    await repo.symlink('.brainsyncignore', 'shared-ignore');
    await repo.commit('linked ignore file');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/\.brainsyncignore .* is a symbolic link/);
    expect(await pagesOf(db, 'notes')).toEqual({});
  });

  it('imports a name with a backslash, and gives emoji-only names distinct, stable slugs', async () => {
    await repo.write('back\\slash.md', note('Backslash'));
    await repo.write('🚀.md', note('Rocket'));
    await repo.write('🎉.md', note('Party'));
    await repo.commit('odd names');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(await failuresOf(db, 'notes')).toEqual({});
    const slugs = await slugsOf(db, 'notes');
    expect(slugs['back\\slash.md']).toBe('back-slash');
    expect(slugs['🚀.md']).toMatch(/^page-[0-9a-f]{8}$/);
    expect(slugs['🎉.md']).toMatch(/^page-[0-9a-f]{8}$/);
    expect(slugs['🚀.md']).not.toBe(slugs['🎉.md']);
    await sync(db, 'notes', { full: true });
    expect(await slugsOf(db, 'notes')).toEqual(slugs);
  });

  it('clears the failure of a renamed file under its old path', async () => {
    const body = `\n${'A long body that keeps the rename similar enough for git to detect it. '.repeat(20)}\n`;
    await repo.write('draft.md', `---\ntitle: [unclosed\n---\n${body}`);
    await repo.commit('bad yaml');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    expect(await failuresOf(db, 'notes')).toEqual({ 'draft.md': 'invalid_yaml' });
    await repo.git(['mv', 'draft.md', 'final.md']);
    await repo.write('final.md', `---\ntitle: Final\n---\n${body}`);
    await repo.commit('rename and fix');
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('diff');
    expect(await failuresOf(db, 'notes')).toEqual({});
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['final.md']);
  });
});
