import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { embedMany } from '../../src/core/embedMany.js';
import { analyzeStaleTables } from '../../src/db/analyzeStaleTables.js';
import { countingGlove, poolOf } from '../helpers/embed.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, note, sync, useBrainAndRepo } from '../helpers/sync.js';

async function rowEstimates(db: Db): Promise<Record<string, number>> {
  const res = await db.query<{ name: string; n: number }>(
    "select relname as name, reltuples::int as n from pg_class where relname in ('pages', 'chunks', 'links', 'embeddings') order by relname",
  );
  return Object.fromEntries(res.rows.map((r) => [r.name, r.n]));
}

describe.each(backends())('planner statistics on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('are gathered by a sync or an embed that grew the tables where no autovacuum does it, and not redone for a small change', async () => {
    // Four chunks a note: enough vectors (240) to grow their table past the threshold's 8 blocks.
    const body = (i: number) => `river ${i} near [[n${(i + 1) % 60}]]\n\n## Mill\nmill ${i}\n\n## Ford\nford ${i}\n\n## Weir\nweir ${i}`;
    for (let i = 0; i < 60; i++) await repo.write(`n${i}.md`, note(`Note ${i}`, body(i)));
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
    if (backend === 'postgres') {
      expect(await analyzeStaleTables(db)).toEqual([]); // the server's autovacuum does it
      return;
    }
    // Never analyzed reads -1; the run's ANALYZE counted every row of these small tables.
    expect(await rowEstimates(db)).toMatchObject({ chunks: 240, links: 60, pages: 60 });
    // `brainsync embed` wrote the vectors: it analyzes what it grew, so the next sync need not.
    const [e] = await embedMany({ db, models: poolOf(await countingGlove()), signal: new AbortController().signal }, ['notes']);
    expect(e.embedded).toBe(240);
    expect((await rowEstimates(db)).embeddings).toBe(240);

    await repo.write('n60.md', note('Note 60', 'one more'));
    await repo.commit('one more');
    await sync(db, 'notes', { embed: false });
    expect((await rowEstimates(db)).pages).toBe(60); // grew by less than the threshold: left alone
  });
});
