import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

async function updatedAt(db: Db): Promise<Record<string, string>> {
  const res = await db.query<{ path: string; u: Date }>('select path, updated_at as u from pages order by path');
  return Object.fromEntries(res.rows.map((r) => [r.path, r.u.toISOString()]));
}

describe.each(backends())('rewritten history on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('after a force-push to a rewritten history, rewrites only the pages that changed', async () => {
    for (const n of ['a', 'b', 'c', 'd']) await repo.write(`${n}.md`, note(n.toUpperCase(), `${n} body `.repeat(10)));
    await repo.commit('one');
    await repo.write('d.md', note('D', 'second version'));
    await repo.commit('two');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const before = await updatedAt(db);
    // rewrite: drop commit two, then change c instead
    await repo.git(['reset', '-q', '--hard', 'HEAD~1']);
    await repo.write('c.md', note('C', 'rewritten'));
    const rewritten = await repo.commit('rewritten two');
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('full');
    expect(r.status).toBe('synced');
    expect(r.counts.read).toBe(2); // c changed, d went back to its first version
    expect(r.counts.imported).toBe(2);
    const after = await updatedAt(db);
    expect(after['a.md']).toBe(before['a.md']);
    expect(after['b.md']).toBe(before['b.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(rewritten);
  });

  it('after a force-push to an unrelated history, converges without rewriting identical files', async () => {
    await repo.write('same.md', note('Same', 'identical in both histories'));
    await repo.write('gone.md', note('Gone', 'only in the old history'));
    await repo.commit('old');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const before = await updatedAt(db);
    await repo.git(['checkout', '-q', '--orphan', 'fresh']);
    await repo.git(['rm', '-rqf', '.']);
    await repo.write('same.md', note('Same', 'identical in both histories'));
    await repo.write('new.md', note('New', 'only in the new history'));
    await repo.commit('unrelated');
    await repo.git(['branch', '-q', '-M', 'fresh', 'main']);
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('full');
    expect(r.counts).toMatchObject({ imported: 1, deleted: 1, read: 1 });
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['new.md', 'same.md']);
    expect((await updatedAt(db))['same.md']).toBe(before['same.md']);
  });

  it('revisits the paths of an unfinished run even when the new target reverted them', async () => {
    await repo.write('a.md', note('A', 'v1'));
    const v1 = await repo.commit('v1');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    // an earlier run wrote a.md at v2 and stopped before its bookmark
    await repo.write('a.md', note('A', 'v2'));
    await repo.write('extra.md', note('Extra'));
    const v2 = await repo.commit('v2');
    await sync(db, 'notes');
    await db.query("update sources set bookmark_commit = $1, pending_targets = array[$2]", [v1, v2]);
    // ...and history then went back to v1's content
    await repo.git(['revert', '--no-edit', 'HEAD']);
    const r = await sync(db, 'notes');
    expect(r.mode).toBe('diff');
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['a.md']);
    const body = await db.query<{ body: string }>("select body from pages where path = 'a.md'");
    expect(body.rows[0].body).toContain('v1');
  });

  it('resumes a run stopped at the same target with one diff, and finishes it', async () => {
    await repo.write('a.md', note('A', 'v1'));
    await repo.write('b.md', note('B', 'moved later'));
    await repo.write('gone.md', note('Gone'));
    const v1 = await repo.commit('v1');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    await repo.write('a.md', note('A', 'v2'));
    await repo.git(['mv', 'b.md', 'moved.md']);
    await repo.git(['rm', '-q', 'gone.md']);
    await repo.write('new.md', note('New'));
    const v2 = await repo.commit('v2');
    await sync(db, 'notes');
    const done = await pagesOf(db, 'notes');
    // the run that went to v2 stopped early, before writing new.md: bookmark still at v1, v2
    // unfinished, no newer commit
    await db.query('update sources set bookmark_commit = $1, pending_targets = array[$2]', [v1, v2]);
    await db.query("delete from pages where path = 'new.md'");
    const trace = mkdtempSync(join(tmpdir(), 'brainsync-trace-'));
    process.env.GIT_TRACE = join(trace, 'git.log');
    try {
      const r = await sync(db, 'notes');
      expect(r.mode).toBe('diff');
      expect(r.status).toBe('synced');
      expect(r.counts.imported).toBe(1);
      const diffs = readFileSync(join(trace, 'git.log'), 'utf8').split('\n').filter((l) => /built-in: git .*\bdiff --raw/.test(l));
      expect(diffs).toHaveLength(1); // bookmark..target, not again for the unfinished target
    } finally {
      delete process.env.GIT_TRACE;
      rmSync(trace, { recursive: true, force: true });
    }
    expect(await pagesOf(db, 'notes')).toEqual(done);
    expect(Object.keys(done)).toEqual(['a.md', 'moved.md', 'new.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(v2);
  });
});
