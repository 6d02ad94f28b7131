import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, failuresOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

describe.each(backends())('bad files on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('records every kind of bad file, skips it, and still advances the bookmark', async () => {
    await repo.write('good.md', note('Good'));
    await repo.write('yaml.md', '---\ntitle: [unclosed\n---\nbody\n');
    await repo.write('latin1.md', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await repo.write('binary.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    await repo.write('huge.md', '# Huge\n\n' + 'x'.repeat(3000) + '\n');
    await repo.symlink('link.md', 'good.md');
    const head = await repo.commit('bad files');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes', { maxFileBytes: 2048 });
    expect(r.status).toBe('synced');
    expect(r.counts.failed).toBe(5);
    expect(await failuresOf(db, 'notes')).toEqual({
      'binary.md': 'binary',
      'huge.md': 'too_large',
      'latin1.md': 'invalid_utf8',
      'link.md': 'symlink',
      'yaml.md': 'invalid_yaml',
    });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['good.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
    for (const f of r.failures) expect(f.message).toMatch(/skipped|fix|Split|Commit/);
  });

  it('does not retry an unchanged failed file, retries it with --retry-failed, and clears it once fixed', async () => {
    await repo.write('a.md', note('A'));
    await repo.write('bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.write('a.md', note('A', 'edited'));
    await repo.commit('unrelated edit');
    const second = await sync(db, 'notes');
    expect(second.counts.failed).toBe(0);
    expect(await failuresOf(db, 'notes')).toEqual({ 'bad.md': 'invalid_yaml' });
    const retried = await sync(db, 'notes', { retryFailed: true });
    expect(retried.counts.failed).toBe(1);
    await repo.write('bad.md', note('Fixed'));
    await repo.commit('fix');
    const fixed = await sync(db, 'notes');
    expect(fixed.counts.failed).toBe(0);
    expect(await failuresOf(db, 'notes')).toEqual({});
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md', 'bad.md']);
  });

  it('records a slug collision instead of failing the batch', async () => {
    await repo.write('Plan.md', note('Plan one'));
    await repo.write('plan.md', note('Plan two', 'different'));
    await repo.write('other.md', note('Other'));
    await repo.commit('collide');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(r.counts.imported).toBe(2);
    expect(Object.values(await failuresOf(db, 'notes'))).toEqual(['slug_conflict']);
    const [failed] = Object.keys(await failuresOf(db, 'notes'));
    const winner = failed === 'plan.md' ? 'Plan.md' : 'plan.md';

    // Renaming the *other* file resolves the conflict: the unchanged failed file is tried again.
    await repo.git(['mv', winner, 'plan-one.md']);
    await repo.commit('rename the other one');
    const fixed = await sync(db, 'notes');
    expect(fixed.counts.failed).toBe(0);
    expect(await failuresOf(db, 'notes')).toEqual({});
    expect(Object.keys(await pagesOf(db, 'notes')).sort()).toEqual([failed, 'other.md', 'plan-one.md'].sort());
  });

  it('tries an unresolved slug conflict again on each change, and imports it once resolved by a full compare too', async () => {
    await repo.write('Plan.md', note('Plan one'));
    await repo.write('plan.md', note('Plan two', 'different'));
    await repo.commit('collide');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const [failed] = Object.keys(await failuresOf(db, 'notes'));
    await repo.write('other.md', note('Other'));
    await repo.commit('unrelated change');
    const again = await sync(db, 'notes');
    expect(again.counts.failed).toBe(1);
    expect(Object.keys(await failuresOf(db, 'notes'))).toEqual([failed]);
    await repo.remove(failed === 'plan.md' ? 'Plan.md' : 'plan.md');
    await repo.commit('remove the other one');
    const full = await sync(db, 'notes', { full: true });
    expect(full.counts.failed).toBe(0);
    expect(Object.keys(await pagesOf(db, 'notes')).sort()).toEqual([failed, 'other.md'].sort());
  });

  it('refuses a plan that deletes most pages unless --allow-mass-delete', async () => {
    for (let i = 0; i < 60; i++) await repo.write(`n/${i}.md`, note(`N${i}`, `text ${i} `.repeat(20)));
    const before = await repo.commit('many');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.git(['rm', '-rq', 'n']);
    await repo.write('only.md', note('Only'));
    await repo.commit('wipe');
    const refused = await sync(db, 'notes');
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/would delete 60 of its 60 pages.*--allow-mass-delete/);
    expect(Object.keys(await pagesOf(db, 'notes'))).toHaveLength(60);
    expect(await bookmarkOf(db, 'notes')).toBe(before);
    const allowed = await sync(db, 'notes', { allowMassDelete: true });
    expect(allowed.status).toBe('synced');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['only.md']);
  });

  it('does not refuse a resumed run whose deletes an earlier, stopped run already applied', async () => {
    for (let i = 0; i < 200; i++) await repo.write(`n/${i}.md`, note(`N${i}`, `text ${i} `.repeat(20)));
    await repo.commit('many');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.git(['rm', '-q', ...Array.from({ length: 90 }, (_, i) => `n/${i}.md`)]);
    const head = await repo.commit('drop 90');
    // What a run stopped by its budget after the deletes leaves: the pages gone, the bookmark
    // not advanced, so the next run plans the same 90 deletes against 110 stored pages
    // (more than half of them, above the floor: refused if the guard counted them).
    await db.query(`delete from pages where path = any($1::text[])`, [Array.from({ length: 90 }, (_, i) => `n/${i}.md`)]);
    const resumed = await sync(db, 'notes');
    expect(resumed.status).toBe('synced');
    expect(Object.keys(await pagesOf(db, 'notes'))).toHaveLength(110);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
  });
});
