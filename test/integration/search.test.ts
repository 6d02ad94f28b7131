import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search, type SearchResponse } from '../../src/core/search.js';
import type { Db } from '../../src/db/Db.js';
import { EmbedError } from '../../src/embed/EmbedError.js';
import type { EmbeddingProvider } from '../../src/embed/EmbeddingProvider.js';
import { ProviderPool } from '../../src/embed/ProviderPool.js';
import { UsageError } from '../../src/errors.js';
import { backends, freshBrain, openTestDb, type BackendName } from '../helpers/brains.js';
import { testModelsDir } from '../helpers/embed.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { writeSearchNotes } from '../helpers/searchNotes.js';
import { add, sync } from '../helpers/sync.js';

/** Paraphrases that share no word with their answer (checked below), and the answer. */
const paraphrases: [string, string][] = [
  ['soccer game weekend', 'sport/league.md'],
  ['revenue from cities', 'finance/invoices.md'],
  ['yeast recipe', 'kitchen/bread.md'],
];

// A pool remembers each model's row id in the brain it first met: one pool per brain.
let models: ProviderPool;

/** A brain with the search notes synced and embedded (pgvector loaded on PGLite, as the CLI does). */
async function searchBrain(backend: BackendName, repo: TestRepo, opts: { embed?: boolean } = {}): Promise<Db> {
  const db = await openTestDb(await freshBrain(backend), { vector: true });
  models = new ProviderPool(testModelsDir);
  await add(db, 'notes', repo.dir);
  const r = await sync(db, 'notes', { models, embed: opts.embed ?? true });
  expect(r.status).toBe('synced');
  if (opts.embed !== false) expect(r.counts, r.message ?? '').toMatchObject({ pending: 0 });
  return db;
}

const paths = (r: SearchResponse) => r.hits.map((h) => h.path);

describe.each(backends())('search on %s', (backend) => {
  let repo: TestRepo;
  let db: Db;
  beforeAll(async () => {
    repo = await createRepo();
    await writeSearchNotes(repo);
    db = await searchBrain(backend, repo);
  });
  afterAll(async () => {
    await db?.close();
    await repo?.cleanup();
  });

  it.each(paraphrases)('finds the page for "%s" by meaning although they share no word', async (query, answer) => {
    const anyWord = await search({ db, models }, query.split(' ').join(' or '), { mode: 'text' });
    expect(paths(anyWord)).not.toContain(answer);
    const r = await search({ db, models }, query, { mode: 'vector', limit: 3 });
    expect(r.mode).toBe('vector');
    expect(r.hits[0].path).toBe(answer);
    expect(r.hits[0].score - r.hits[1].score, 'margin over the next page').toBeGreaterThan(0.1);
    expect(r.hits[0].ranks).toEqual({ text: null, vector: 1 });
    expect(r.hits[0].snippet.length).toBeGreaterThan(20);
  });

  it('falls back to full text, and says why, when the model loads but cannot embed the query', async () => {
    const failing = new ProviderPool(testModelsDir, {
      create: async () => {
        const real = await models.get(db, { spec: null, url: null, keyEnv: null });
        return Object.assign(Object.create(real.provider) as EmbeddingProvider, {
          embed: async () => { throw new EmbedError('glove-wink-sg-100d.bin: block 0 of the word vectors does not match its checksum'); },
        });
      },
    });
    const r = await search({ db, models: failing }, 'backups');
    expect(r.mode).toBe('text');
    expect(r.hits.length).toBeGreaterThan(0);
    expect(r.notices.join('\n')).toMatch(/notes: the model glove could not embed the query \(.*does not match its checksum\): searched by full text only/);
    await expect(search({ db, models: failing }, 'backups', { mode: 'vector' })).rejects.toThrow(/--mode text/);
  });

  it('finds exact words in text mode, title above body, with highlighted snippets and heading paths', async () => {
    const r = await search({ db, models }, 'backups', { mode: 'text' });
    expect(paths(r)).toEqual(['ops/backups-title.md', 'howto/restore-backup.md', 'ops/rotation.md']);
    expect(r.hits[0].ranks).toEqual({ text: 1, vector: null });
    expect(r.hits[0].score).toBeGreaterThan(r.hits[1].score);
    expect(r.hits[1]).toMatchObject({ source: 'notes', slug: 'howto/restore-backup', title: 'Restore a database backup' });
    expect(r.hits[1].snippet).toContain('«backups»');
    expect(r.hits[1].headingPath).toEqual(['Restore a database backup']);
    const later = await search({ db, models }, 'scratch instance', { mode: 'text' });
    expect(later.hits[0].headingPath).toEqual(['Restore a database backup', 'Afterwards']);
  });

  it('reads phrases, or and -exclusion as websearch_to_tsquery does, in every mode', async () => {
    expect(paths(await search({ db, models }, '"restore over production"', { mode: 'text' }))).toEqual(['howto/restore-backup.md']);
    expect(paths(await search({ db, models }, '"production over restore"', { mode: 'text' }))).toEqual([]);
    expect(paths(await search({ db, models }, 'sourdough or tomatoes', { mode: 'text' })).sort()).toEqual(['garden/tomatoes.md', 'kitchen/bread.md']);
    expect(paths(await search({ db, models }, 'backups -restore', { mode: 'text' }))).toEqual(['ops/backups-title.md', 'ops/rotation.md']);
    for (const mode of ['vector', 'hybrid'] as const) {
      const r = await search({ db, models }, 'backups -restore', { mode });
      expect(paths(r).length).toBeGreaterThan(2);
      expect(paths(r)).not.toContain('howto/restore-backup.md');
    }
  });

  it('is hybrid by default and fuses both rankings: exact matches and pages found only by meaning', async () => {
    const r = await search({ db, models }, 'league', { limit: 5 });
    expect(r.mode).toBe('hybrid');
    expect(r.hits[0]).toMatchObject({ path: 'sport/league.md', ranks: { text: 1, vector: 1 } });
    // Words are all required (websearch_to_tsquery); "or" makes either enough.
    const both = await search({ db, models }, 'backups or vegetables', { limit: 10 });
    const byText = both.hits.filter((h) => h.ranks.text !== null);
    const byMeaningOnly = both.hits.filter((h) => h.ranks.text === null && h.ranks.vector !== null);
    expect(byText.length + byMeaningOnly.length).toBe(both.hits.length);
    expect(byMeaningOnly.map((h) => h.path)).toContain('garden/tomatoes.md');
    expect(new Set(paths(both)).size, 'one hit per page').toBe(both.hits.length);
    expect(both.hits.map((h) => h.score)).toEqual([...both.hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('refuses empty queries, stop words only (except by vector), control characters and over-long queries with a message', async () => {
    const refused = async (q: string, mode?: 'text' | 'hybrid') => {
      const err = await search({ db, models }, q, { mode }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    };
    expect(await refused('   ')).toMatch(/query is empty/);
    expect(await refused('the of and', 'text')).toMatch(/only stop words/);
    expect(await refused('to be or not to be')).toMatch(/only stop words/);
    expect(await refused('a\u0000b')).toMatch(/control characters/);
    expect(await refused('x'.repeat(3000))).toMatch(/under 2000/);
    expect((await search({ db, models }, 'the of and', { mode: 'vector' })).hits.length).toBeGreaterThan(0);
    // Odd syntax is read, never raised on.
    for (const q of ['"unclosed phrase', '- -', 'or or', '!!! (((', "'quote", '-restore', 'backup:*', '& | !']) {
      const r = await search({ db, models }, q, { mode: 'text' }).catch((e: unknown) => e);
      if (r instanceof Error) expect(r).toBeInstanceOf(UsageError);
    }
  });

  it('does not rank by meaning a query whose words the model does not know', async () => {
    // GloVe's zero vector is equally near every chunk: vector mode refuses, hybrid falls back to text.
    const err = await search({ db, models }, '!!! 🚀', { mode: 'vector' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/nothing to search by meaning: .*source notes: the model glove knows none of the query's words.*not searched/);
    const r = await search({ db, models }, 'qzxvkwpj');
    expect(r.mode).toBe('text');
    expect(r.hits).toEqual([]);
    expect(r.notices.join('\n')).toMatch(/knows none of the query's words, so it cannot rank by meaning: searched by full text only/);
  });

  it('names an unknown source', async () => {
    await expect(search({ db, models }, 'backups', { sources: ['nope'] })).rejects.toThrow(/no source named "nope"/);
  });
});

describe.each(backends())('a source without vectors on %s', (backend) => {
  it('is searched by full text, says its vectors are missing, and refuses --mode vector with that reason', async () => {
    const repo = await createRepo();
    await writeSearchNotes(repo);
    const db = await searchBrain(backend, repo, { embed: false });
    try {
      const r = await search({ db, models }, 'backups');
      expect(r.mode).toBe('text');
      expect(r.hits.length).toBe(3);
      expect(r.notices.join('\n')).toMatch(/no vectors .*notes.*full text only.*brainsync embed --source notes/);
      await expect(search({ db, models }, 'backups', { mode: 'vector' })).rejects.toThrow(/nothing to search by meaning.*not searched.*--mode text instead/);

      // A second, embedded source (other texts: vectors are shared by identical text): hybrid over
      // it; the first is named as searched by text only.
      const other = await createRepo();
      await other.write('sport/cup.md', '# Cup final\n\nThe squad travels to the cup final by coach on Sunday.\n');
      await other.commit('cup');
      await add(db, 'embedded', other.dir);
      await sync(db, 'embedded', { models });
      await other.cleanup();
      const mixed = await search({ db, models }, 'squad');
      expect(mixed.mode).toBe('hybrid');
      expect(mixed.notices.join('\n')).toMatch(/source notes has no vectors yet/);
      expect(mixed.hits.filter((h) => h.ranks.vector !== null).every((h) => h.source === 'embedded')).toBe(true);
      expect(mixed.hits.some((h) => h.source === 'notes' && h.ranks.text !== null)).toBe(true);
    } finally {
      await db.close();
      await repo.cleanup();
    }
  });
});
