import { describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { storedBlobOids } from '../../src/db/pagesQueries.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, lateApply, note, sync, useBrainAndRepo } from '../helpers/sync.js';

// Counted: a resumed run must find the pages an earlier run wrote with one lookup, not one per batch.
vi.mock('../../src/db/pagesQueries.js', async (original) => {
  const real = await original<typeof import('../../src/db/pagesQueries.js')>();
  return { ...real, storedBlobOids: vi.fn(real.storedBlobOids) };
});

const budgetMs = 300;


describe.each(backends())('a run resumed after a stopped one on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('skips every page the stopped run wrote with one lookup, and writes pages no run wrote', async () => {
    const names = Array.from({ length: 45 }, (_, i) => `n${String(i).padStart(2, '0')}.md`);
    for (const n of names) await repo.write(n, note(n, 'first'));
    await repo.commit('one');
    await add(db, 'notes', repo.dir);
    expect((await sync(db, 'notes')).status).toBe('synced');
    for (const n of names) await repo.write(n, note(n, 'second'));
    const tip = await repo.commit('two');

    const first = await sync(db, 'notes', { timeoutMs: budgetMs, onEvent: lateApply(budgetMs) });
    expect(first.status).toBe('partial');
    expect(first.counts.imported).toBeGreaterThan(0);
    expect(first.counts.imported).toBeLessThan(names.length);

    vi.mocked(storedBlobOids).mockClear();
    const second = await sync(db, 'notes', { timeoutMs: budgetMs, onEvent: lateApply(budgetMs) });
    expect(vi.mocked(storedBlobOids).mock.calls).toHaveLength(1);
    expect(second.counts.skipped).toBe(first.counts.imported);
    expect(second.counts.imported).toBeGreaterThan(0);

    const rest = await sync(db, 'notes');
    expect(rest.status).toBe('synced');
    expect(first.counts.imported + second.counts.imported + rest.counts.imported).toBe(names.length);
    expect(await bookmarkOf(db, 'notes')).toBe(tip);
  });
});
