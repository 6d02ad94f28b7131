import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, failuresOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

/** Words no dictionary has, so that every one is a distinct lexeme of the full-text vector. */
function bigVocabulary(bytes: number): string {
  const words: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const w = `w${i.toString(36)}q${((i * 7919) % 104729).toString(36)}`;
    words.push(w);
    size += w.length + 1;
  }
  return words.join(' ');
}

describe.each(backends())('pages the database refuses, on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('records a page the database refuses as a file failure, imports the rest of its batch and advances the bookmark', async () => {
    // A constraint the page breaks stands for any refusal the parser cannot foresee.
    await db.exec(`alter table pages add constraint test_refuse check (title <> 'Refuse me')`);
    for (let i = 0; i < 5; i++) await repo.write(`ok-${i}.md`, note(`Fine ${i}`));
    await repo.write('refused.md', note('Refuse me'));
    const head = await repo.commit('a batch with one page the database refuses');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(r.counts.imported).toBe(5);
    expect(r.counts.failed).toBe(1);
    expect(await failuresOf(db, 'notes')).toEqual({ 'refused.md': 'db_rejected' });
    expect(r.failures[0].message).toMatch(/database refused this page.*test_refuse.*skipped and recorded/);
    expect(Object.keys(await pagesOf(db, 'notes'))).toHaveLength(5);
    expect(await bookmarkOf(db, 'notes')).toBe(head);

    // Unchanged, it is not retried; fixed, it imports and its failure goes.
    await repo.write('ok-0.md', note('Fine 0', 'edited'));
    await repo.commit('unrelated edit');
    expect((await sync(db, 'notes')).counts.failed).toBe(0);
    await repo.write('refused.md', note('Accepted now'));
    await repo.commit('fix');
    const fixed = await sync(db, 'notes');
    expect(fixed.counts.failed).toBe(0);
    expect(await failuresOf(db, 'notes')).toEqual({});
    expect(Object.keys(await pagesOf(db, 'notes'))).toContain('refused.md');
  });

  it('deletes a renamed page whose new row the database refuses, and records the new path', async () => {
    await repo.write('a.md', note('A'));
    await repo.write('b.md', note('B'));
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await db.exec(`alter table pages add constraint test_refuse_path check (path <> 'refused.md')`);
    await repo.rename('a.md', 'refused.md');
    const head = await repo.commit('rename to a path the database refuses');
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(await pagesOf(db, 'notes')).toEqual({ 'b.md': expect.any(String) });
    expect(await failuresOf(db, 'notes')).toEqual({ 'refused.md': 'db_rejected' });
    expect(await bookmarkOf(db, 'notes')).toBe(head);
  });

  it('never fails a run on frontmatter text the database cannot store (NUL, lone surrogates)', async () => {
    await repo.write('good.md', note('Good'));
    await repo.write('nul-title.md', '---\ntitle: "bad\\0title"\n---\nbody\n');
    await repo.write('nul-nested.md', '---\ntitle: ok\nextra:\n  deep: ["x", "y\\0z"]\n---\nbody\n');
    await repo.write('surrogate.md', '---\ntitle: ok\nauthor: "\\uD800"\n---\nbody\n');
    await repo.write('surrogate-tag.md', '---\ntitle: ok\ntags: ["\\uDC00"]\n---\nbody\n');
    const head = await repo.commit('text the database cannot store');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(r.counts.failed).toBe(4);
    // Caught by the parser, naming the field, before the database sees it.
    expect(await failuresOf(db, 'notes')).toEqual({
      'nul-nested.md': 'invalid_frontmatter',
      'nul-title.md': 'invalid_frontmatter',
      'surrogate-tag.md': 'invalid_frontmatter',
      'surrogate.md': 'invalid_frontmatter',
    });
    expect(r.failures.find((f) => f.path === 'nul-title.md')?.message).toMatch(/"title" contains a NUL/);
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['good.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
  });

  it('stores a huge note with a big vocabulary whole and keeps its beginning searchable', async () => {
    const body = bigVocabulary(3 * 1024 * 1024);
    await repo.write('huge.md', `# Huge\n\n${body}\n`);
    await repo.write('small.md', note('Small'));
    await repo.commit('a note over the tsvector limit');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes', { maxFileBytes: 4 * 1024 * 1024 });
    expect(r.status).toBe('synced');
    expect(r.counts.failed).toBe(0);
    const res = await db.query<{ len: number; hit: boolean }>(
      `select length(body) as len, search @@ to_tsquery('english', $1) as hit from pages where path = 'huge.md'`,
      [body.split(' ')[100]],
    );
    expect(res.rows[0]).toEqual({ len: body.length + 9, hit: true });
  });
});
