import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, bookmarkOf, lateApply, note, pagesOf, sync, useBrainAndRepo } from '../helpers/sync.js';

const budgetMs = 300;


describe.each(backends())('runs that reach their apply phase past the deadline on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('each writes pages no earlier run wrote, so the source catches up wave after wave', async () => {
    const names = Array.from({ length: 35 }, (_, i) => `n${String(i).padStart(2, '0')}.md`);
    for (const n of names) await repo.write(n, note(n, 'first'));
    await repo.commit('one');
    await add(db, 'notes', repo.dir);
    expect((await sync(db, 'notes')).status).toBe('synced');
    for (const n of names) await repo.write(n, note(n, 'second'));
    const tip = await repo.commit('two');

    const imported: number[] = [];
    for (let wave = 0; wave < 6 && (await bookmarkOf(db, 'notes')) !== tip; wave++) {
      const r = await sync(db, 'notes', { timeoutMs: budgetMs, onEvent: lateApply(budgetMs) });
      imported.push(r.counts.imported);
      if (r.status === 'partial') expect(r.reason).toBe('timeout');
    }
    // Every wave wrote its guaranteed batch of new pages; before the fix the second wave
    // redid the first wave's batch (all skipped) and wrote nothing, wave after wave.
    expect(imported.length).toBeGreaterThanOrEqual(4);
    for (const n of imported) expect(n).toBeGreaterThan(0);
    expect(imported.reduce((a, b) => a + b, 0)).toBe(names.length);
    expect(await bookmarkOf(db, 'notes')).toBe(tip);
    const stored = await pagesOf(db, 'notes');
    expect(Object.keys(stored)).toHaveLength(names.length);
  });
});
