import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { compactDrainedQueue } from '../../src/db/embedQueries.js';
import { backends } from '../helpers/brains.js';
import { countingGlove, countRows, poolOf } from '../helpers/embed.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, note, sync, useBrainAndRepo } from '../helpers/sync.js';

const queueBytes = `select pg_relation_size('embed_queue')::int as n`;

describe.each(backends())('vacuuming a drained embed queue on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('happens only where no autovacuum does it, and only once the queue is empty', async () => {
    for (let i = 0; i < 60; i++) await repo.write(`n${i}.md`, note(`Note ${i}`, `river ${i} crossed the valley near mill ${i}`));
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
    expect(await countRows(db, 'select count(*)::int as n from embed_queue')).toBeGreaterThan(0);
    // Rows wait: nothing to compact whatever the table's size.
    expect(await compactDrainedQueue(db, 0)).toBe(false);

    const r = await sync(db, 'notes', { models: poolOf(await countingGlove()) });
    expect(r.counts.pending).toBe(0);
    const before = await countRows(db, queueBytes);
    const vacuumed = await compactDrainedQueue(db, 0);
    if (backend === 'pglite') {
      expect(before).toBeGreaterThan(0); // the drained rows' pages, dead but kept
      expect(vacuumed).toBe(true);
      expect(await countRows(db, queueBytes)).toBe(0);
      expect(await compactDrainedQueue(db, 0)).toBe(false); // nothing left to reclaim
    } else {
      expect(vacuumed).toBe(false); // the server's autovacuum
    }
  });
});
