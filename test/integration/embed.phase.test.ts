import { describe, expect, it } from 'vitest';
import { embedMany } from '../../src/core/embedMany.js';
import { search } from '../../src/core/search.js';
import { setSourceEmbed } from '../../src/core/setSourceEmbed.js';
import type { Db } from '../../src/db/Db.js';
import { claimQueued, enqueueSourceChunks } from '../../src/db/embedQueries.js';
import { findSource } from '../../src/db/sourcesQueries.js';
import { removeSource } from '../../src/core/removeSource.js';
import { embedSource } from '../../src/embed/embedSource.js';
import { workerName } from '../../src/embed/releaseDeadClaims.js';
import { hostname } from 'node:os';
import { backends } from '../helpers/brains.js';
import { countingGlove, countRows, poolOf, testModelsDir } from '../helpers/embed.js';
import { ProviderPool } from '../../src/embed/ProviderPool.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, sync, useBrainAndRepo } from '../helpers/sync.js';

/** `pages` notes of `sections` sections each, every section's text distinct. */
async function writeNotes(repo: TestRepo, pages: number, sections: number, prefix = 'n'): Promise<void> {
  for (let p = 0; p < pages; p++) {
    const body = Array.from({ length: sections }, (_, s) => `## Part ${s}\n\nThe river ${prefix}${p} crossed valley ${s} near the old mill.\n`);
    await repo.write(`${prefix}-${p}.md`, `# Note ${prefix}${p}\n\n${body.join('\n')}`);
  }
}

const distinctHashes = `select count(distinct c.chunk_hash)::int as n from chunks c`;

describe.each(backends())('the embed phase on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  it('embeds every chunk after the bookmark, each distinct text once, and an edit re-embeds only its changed chunk', async () => {
    await writeNotes(repo, 10, 3);
    await repo.write('copy.md', '# Note n0\n\n## Part 0\n\nThe river n0 crossed valley 0 near the old mill.\n');
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    const glove = await countingGlove();
    const first = await sync(db, 'notes', { models: poolOf(glove) });
    const chunks = await countRows(db, distinctHashes);
    expect(first.status).toBe('synced');
    expect(first.counts).toMatchObject({ embedded: chunks, pending: 0 });
    expect(first.timings.embedMs).toBeGreaterThan(0);
    expect(glove.texts).toHaveLength(chunks);
    expect(new Set(glove.texts).size).toBe(chunks);
    expect(await countRows(db, 'select count(*)::int as n from embeddings')).toBe(chunks);
    expect(await countRows(db, 'select count(*)::int as n from embed_queue')).toBe(0);

    await repo.write('n-3.md', (await repo.git(['show', 'HEAD:n-3.md'])).replace('valley 1 near', 'valley 1 beyond'));
    await repo.commit('edit one section');
    glove.texts = [];
    const edit = await sync(db, 'notes', { models: poolOf(glove) });
    expect(edit.counts.embedded).toBe(1);
    expect(glove.texts).toEqual([expect.stringContaining('valley 1 beyond')]);
  });

  it('keeps no queue entry or vector of a section that is gone: edited, deleted, or its source removed', async () => {
    await writeNotes(repo, 3, 2);
    await repo.write('shared.md', '# Shared\n\nOne section.\n');
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    const glove = await countingGlove();
    const vectors = () => countRows(db, 'select count(*)::int as n from embeddings');
    const orphans = () => countRows(db, 'select count(*)::int as n from embeddings e where not exists (select 1 from chunks c where c.chunk_hash = e.chunk_hash)');
    const queued = () => countRows(db, 'select count(*)::int as n from embed_queue');
    expect((await sync(db, 'notes', { models: poolOf(glove), embed: false })).counts.pending).toBe(7);

    // Still without the embed phase: an edited section and a deleted note. Only what the
    // source still has waits (it counted the gone sections: 8 here).
    await repo.write('n-1.md', (await repo.git(['show', 'HEAD:n-1.md'])).replace('valley 1 near', 'valley 1 beyond'));
    await repo.remove('n-2.md');
    await repo.commit('edit one, delete one');
    expect((await sync(db, 'notes', { models: poolOf(glove), embed: false })).counts.pending).toBe(5);
    expect(await queued()).toBe(5);
    expect((await sync(db, 'notes', { models: poolOf(glove), full: true })).counts).toMatchObject({ embedded: 5, pending: 0 });
    expect(await vectors()).toBe(5);

    // An edit drops the vectors of the sections it removed (they stayed for good).
    await repo.write('n-0.md', '# Note n0\n\nRewritten.\n');
    await repo.commit('n-0 rewritten');
    await sync(db, 'notes', { models: poolOf(glove) });
    expect(await orphans()).toBe(0);
    expect(await vectors()).toBe(4);

    // A second source of the same files shares every vector: removing it keeps them all,
    // removing the last source that has them drops them.
    await add(db, 'other', repo.dir);
    expect((await sync(db, 'other', { models: poolOf(glove) })).counts.embedded).toBe(0);
    await removeSource(db, 'other', true);
    expect(await vectors()).toBe(4);
    await removeSource(db, 'notes', true);
    expect(await vectors()).toBe(0);
  });

  it('embeds text another source already has only once', async () => {
    await writeNotes(repo, 4, 2);
    await repo.commit('notes');
    await add(db, 'a', repo.dir);
    await add(db, 'b', repo.dir);
    const glove = await countingGlove();
    expect((await sync(db, 'a', { models: poolOf(glove) })).counts.embedded).toBe(8);
    const b = await sync(db, 'b', { models: poolOf(glove) });
    expect(b.counts).toMatchObject({ embedded: 0, pending: 0 });
    expect(glove.texts).toHaveLength(8);
  });

  it('leaves the run synced with work pending when stopped during the embed phase, and the next run does only the rest', async () => {
    await writeNotes(repo, 80, 8); // 640 chunks: more than one batch
    const head = await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    const stop = new AbortController();
    // Stopped (as by SIGTERM) while its second batch is in flight: the first is kept, the second
    // is given up (a signal stops writes at once).
    const glove = await countingGlove({ onCall: (n) => n === 2 && stop.abort() });
    const stopped = await sync(db, 'notes', { models: poolOf(glove), signal: stop.signal });
    expect(stopped.status).toBe('synced');
    expect(stopped.target).toBe(head);
    expect(stopped.counts.embedded).toBeGreaterThan(0);
    expect(stopped.counts.pending).toBe(640 - stopped.counts.embedded);
    const rest = await countingGlove();
    const next = await sync(db, 'notes', { models: poolOf(rest) });
    expect(next.status).toBe('up_to_date');
    expect(next.counts).toMatchObject({ embedded: 640 - stopped.counts.embedded, pending: 0 });
    // Only the batch in flight was embedded twice.
    expect(new Set([...glove.texts, ...rest.texts]).size).toBe(640);
    expect(glove.texts.length + rest.texts.length).toBe(640 + (glove.texts.length - stopped.counts.embedded));
  });

  it('skips the phase with --no-embed, and `embed` works through the backlog', async () => {
    await writeNotes(repo, 5, 2);
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    const glove = await countingGlove();
    const r = await sync(db, 'notes', { models: poolOf(glove), embed: false });
    expect(r.counts).toMatchObject({ embedded: 0, pending: 10 });
    expect(glove.calls).toBe(0);
    // A dry run of the source, now up to date, changes nothing: not the recorded backlog either.
    const recorded = () => countRows(db, "select embed_pending as n from sources where name = 'notes'");
    expect(await recorded()).toBe(10);
    const dry = await sync(db, 'notes', { models: poolOf(glove), dryRun: true });
    expect(dry.status).toBe('up_to_date');
    expect(await recorded()).toBe(10);
    const [e] = await embedMany({ db, models: poolOf(glove), signal: new AbortController().signal }, ['notes']);
    expect(e).toMatchObject({ source: 'notes', embedded: 10, pending: 0, stopped: null, error: null });
  });

  it('counts a budget that ends while the model loads as stopped with work left, not as a failed model', async () => {
    await writeNotes(repo, 3, 2);
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
    // A first GloVe cache build takes a second or two: longer than this budget.
    const slowLoad = new ProviderPool(testModelsDir, {
      create: (_settings, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
    });
    const [e] = await embedMany({ db, models: slowLoad, signal: new AbortController().signal, timeoutMs: 200 }, ['notes']);
    expect(e).toMatchObject({ source: 'notes', embedded: 0, pending: 6, stopped: 'timeout', error: null });
    expect(e.ms).toBeGreaterThan(0);
    // The same in a sync's embed phase: the run stays synced, its embedding stopped by the budget.
    await repo.write('extra.md', '# Extra\n\nOne more note about the mill.\n');
    await repo.commit('one more');
    const r = await sync(db, 'notes', { models: slowLoad, timeoutMs: 1500 });
    expect(r.status).toBe('synced');
    expect(r.counts.embedded).toBe(0);
    expect(r.message).toMatch(/^embedding stopped \(timeout\) with \d+ chunks left/);
  });

  it('queues every chunk again, for each source of the model, when the model itself changes under the same settings', async () => {
    await writeNotes(repo, 4, 2);
    await repo.commit('notes');
    await add(db, 'one', repo.dir);
    await add(db, 'two', repo.dir);
    const before = await countingGlove();
    await sync(db, 'one', { models: poolOf(before) });
    await sync(db, 'two', { models: poolOf(before) });
    const chunks = await countRows(db, distinctHashes);
    // The server now runs another model (here: GloVe under another fingerprint), nothing changed in git.
    const changed = await countingGlove({ fingerprint: 'another-model' });
    // A search (a reader) does not register the model: it says the sources are not embedded yet.
    const models = () => countRows(db, 'select count(*)::int as n from embed_models');
    const known = await models();
    const reader = new ProviderPool(testModelsDir, { readOnly: true, create: async () => changed });
    const found = await search({ db, models: reader }, 'river valley');
    expect(found.mode).toBe('text');
    expect(found.notices.join('\n')).toMatch(/source one has no vectors yet: searched by full text only/);
    expect(await models()).toBe(known);
    const [one, two] = await embedMany({ db, models: poolOf(changed), signal: new AbortController().signal }, ['one', 'two']);
    expect(one).toMatchObject({ embedded: chunks, pending: 0, error: null });
    expect(two).toMatchObject({ embedded: 0, pending: 0, error: null }); // the same texts: vectors shared
    const newModel = `select count(*)::int as n from embeddings e join embed_models m on m.id = e.model_id where m.fingerprint = 'another-model'`;
    expect(await countRows(db, newModel)).toBe(chunks);
    // Loading it again (a later process) queues nothing: the brain knows this model now.
    const again = await embedMany({ db, models: poolOf(await countingGlove({ fingerprint: 'another-model' })), signal: new AbortController().signal }, ['one']);
    expect(again[0]).toMatchObject({ embedded: 0, pending: 0 });
  });

  it('loads each model once per process and serves every source that uses it', async () => {
    await writeNotes(repo, 3, 2, 'a');
    await repo.commit('notes');
    for (const name of ['one', 'two', 'three']) await add(db, name, repo.dir);
    for (const name of ['one', 'two', 'three']) await sync(db, name, { embed: false });
    const glove = await countingGlove();
    let loads = 0;
    const pool = new ProviderPool(testModelsDir, { create: async () => (loads++, glove) });
    const results = await embedMany({ db, models: pool, signal: new AbortController().signal }, ['one', 'two', 'three']);
    expect(loads).toBe(1);
    expect(results.map((r) => r.embedded)).toEqual([6, 0, 0]);
    expect(results.every((r) => r.pending === 0)).toBe(true);
  });

  it('gives back at once the claims of a worker that is provably gone (a dead pid here; any other process on PGLite)', async () => {
    await writeNotes(repo, 5, 2);
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
    const source = (await findSource(db, 'notes'))!;
    expect(await claimQueued(db, source.id, `${hostname()}:999999:dead`, 4, 120)).toHaveLength(4);
    expect(await claimQueued(db, source.id, 'elsewhere:123:alive', 3, 120)).toHaveLength(3);
    const r = await sync(db, 'notes', { models: poolOf(await countingGlove()) });
    // Another host's claim may belong to a live worker: only an exclusive (PGLite) brain knows it cannot.
    const remote = db.capabilities.exclusive ? 0 : 3;
    expect(r.counts).toMatchObject({ embedded: 10 - remote, pending: remote });
  });

  it('keeps vectors of a changed model apart: every chunk waits for the new one', async () => {
    await writeNotes(repo, 3, 2);
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { models: poolOf(await countingGlove()) });
    const source = (await findSource(db, 'notes'))!;
    expect(await setSourceEmbed(db, 'notes', { spec: 'glove', url: null, keyEnv: null })).toEqual({ changed: false, pending: 0 });
    await enqueueSourceChunks(db, source.id); // what a model change does
    const changed = await countingGlove({ fingerprint: 'f'.repeat(64) });
    const r = await sync(db, 'notes', { models: poolOf(changed) });
    expect(r.counts.embedded).toBe(6);
    expect(await countRows(db, 'select count(*)::int as n from embed_models')).toBe(2);
    expect(await countRows(db, 'select count(*)::int as n from embeddings')).toBe(12);
  });

  it('shares a backlog between two workers without embedding a chunk twice, and takes over expired claims', async () => {
    await writeNotes(repo, 80, 8); // 640 chunks: more than one batch
    await repo.commit('notes');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
    const source = (await findSource(db, 'notes'))!;
    // A worker that died holding a claim: its claim expires (backdated here instead of waited for).
    expect(await claimQueued(db, source.id, 'dead-worker', 20, 120)).toHaveLength(20);
    await db.query(`update embed_queue set claim_expires_at = now() - interval '1 second' where claimed_by = 'dead-worker'`);
    const a = await countingGlove();
    const b = await countingGlove();
    const pool = poolOf(a);
    const { modelId } = await pool.get(db, { spec: null, url: null, keyEnv: null });
    const never = new AbortController().signal;
    const run = (worker: string, provider: typeof a) =>
      embedSource({ db, sourceId: source.id, provider, modelId, worker, signal: never, writeSignal: never, timeLeft: () => Infinity });
    const [ra, rb] = await Promise.all([run(workerName('a'), a), run(workerName('b'), b)]);
    expect(ra.embedded + rb.embedded).toBe(640);
    expect(ra.embedded).toBeGreaterThan(0);
    expect(rb.embedded).toBeGreaterThan(0);
    expect(new Set([...a.texts, ...b.texts]).size).toBe(a.texts.length + b.texts.length);
    expect(await countRows(db, 'select count(*)::int as n from embed_queue')).toBe(0);
  });
});
