import { describe, expect, it } from 'vitest';
import { sourceFailures } from '../../src/core/sourceFailures.js';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, note, sync, useBrainAndRepo } from '../helpers/sync.js';

describe.each(backends())('failure history on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('counts attempts and keeps the first-seen time across runs until the file imports', async () => {
    await repo.write('ok.md', note('Ok'));
    await repo.write('bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.commit('first');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes');
    const [first] = await sourceFailures(db, ['notes']);
    expect(first).toMatchObject({ source: 'notes', path: 'bad.md', code: 'invalid_yaml', attempts: 1 });
    // Backdate, so that a refreshed first-seen time could not go unnoticed within one clock tick.
    await db.query("update sync_failures set first_seen_at = first_seen_at - interval '1 hour', last_seen_at = last_seen_at - interval '1 hour'");
    const [backdated] = await sourceFailures(db, ['notes']);

    await repo.write('ok.md', note('Ok', 'edited'));
    await repo.commit('unrelated');
    await sync(db, 'notes');
    expect((await sourceFailures(db, ['notes']))[0].attempts).toBe(1); // unchanged blob: not tried again

    await repo.write('bad.md', '---\ntitle: [still unclosed\n---\n');
    const changed = await repo.commit('still bad');
    await sync(db, 'notes');
    const [second] = await sourceFailures(db, ['notes']);
    expect(second.attempts).toBe(2);
    expect(second.firstSeenAt).toEqual(backdated.firstSeenAt);
    expect(second.lastSeenAt.getTime()).toBeGreaterThan(backdated.lastSeenAt.getTime());
    expect(second.blobOid).toBe(await repo.git(['rev-parse', `${changed}:bad.md`]));

    await sync(db, 'notes', { retryFailed: true });
    expect((await sourceFailures(db, ['notes']))[0].attempts).toBe(3);

    await repo.write('bad.md', note('Fixed'));
    await repo.commit('fixed');
    await sync(db, 'notes');
    expect(await sourceFailures(db, ['notes'])).toEqual([]);
  });

  it('lists every source by default, one source when named, and refuses an unknown name', async () => {
    await repo.write('bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.write('other/bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.commit('first');
    await add(db, 'b-notes', repo.dir);
    await add(db, 'a-notes', repo.dir, { subdir: 'other' });
    await sync(db, 'b-notes');
    await sync(db, 'a-notes');
    expect((await sourceFailures(db, [])).map((f) => `${f.source}:${f.path}`)).toEqual(['a-notes:bad.md', 'b-notes:bad.md', 'b-notes:other/bad.md']);
    expect((await sourceFailures(db, ['a-notes'])).map((f) => f.path)).toEqual(['bad.md']);
    await expect(sourceFailures(db, ['nope'])).rejects.toThrow(/no source named "nope"/);
  });
});
