import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, failuresOf, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

describe.each(backends())('frontmatter the database cannot store on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('records NUL and unpaired-surrogate escapes, deep nesting and unclosed frontmatter as failures; the rest imports', async () => {
    await repo.write('good.md', note('Good'));
    await repo.write('nul.md', '---\ntitle: "bad\\0title"\n---\nbody\n');
    await repo.write('nul-key.md', '---\nmeta:\n  "k\\0": 1\n---\nbody\n');
    await repo.write('surrogate.md', '---\ntags: [a, "\\uD800"]\n---\nbody\n');
    await repo.write('deep.md', `---\na: ${'['.repeat(2000)}${']'.repeat(2000)}\n---\nbody\n`);
    await repo.write('open.md', '---\ntitle: Never closed\n\n# Body\n');
    const head = await repo.commit('unstorable frontmatter');
    await add(db, 'notes', repo.dir);
    const r = await sync(db, 'notes');
    expect(r.status).toBe('synced');
    expect(await failuresOf(db, 'notes')).toEqual({
      'deep.md': 'invalid_frontmatter',
      'nul-key.md': 'invalid_frontmatter',
      'nul.md': 'invalid_frontmatter',
      'open.md': 'unterminated_frontmatter',
      'surrogate.md': 'invalid_frontmatter',
    });
    expect(r.failures.find((f) => f.path === 'nul.md')?.message).toMatch(/^invalid frontmatter: "title" contains a NUL character/);
    expect(Object.keys(await pagesOf(db, 'notes'))).toEqual(['good.md']);
    expect(await bookmarkOf(db, 'notes')).toBe(head);
  });
});
