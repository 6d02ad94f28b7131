import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, query, resultOf, runCli } from '../helpers/cli.js';
import { startFakeEmbeddingServer, type FakeEmbeddingServer } from '../helpers/fakeEmbeddingServer.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { processBrain, removeTemps, tempDir } from './fixtures.js';
// @ts-expect-error a plain .mjs helper shared with the bench, without types
import { writeTinyModel } from '../../bench/tinyOnnxModel.mjs';

let server: FakeEmbeddingServer | null = null;
let repo: TestRepo | null = null;
afterEach(async () => {
  await killAllCli();
  await server?.close();
  await repo?.cleanup();
  server = repo = null;
});
afterAll(removeTemps);

async function notes(pages: number): Promise<TestRepo> {
  const r = await createRepo();
  for (let i = 0; i < pages; i++) await r.write(`n${i}.md`, `# Note ${i}\n\nThe ferry ${i} leaves at dawn.\n\n## More\n\nCargo ${i} is fish.\n`);
  await r.commit('notes');
  return r;
}

describe.each(backends())('embedding from the CLI on %s', (backend) => {
  it('embeds with the offline default on sync, and `embed` finds nothing left', async () => {
    repo = await notes(5);
    const brain = await processBrain(backend);
    expect((await runCli(['init'], { db: brain })).code).toBe(0);
    expect((await runCli(['sources', 'add', 'notes', repo.dir], { db: brain })).code).toBe(0);
    const r = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(resultOf(r).counts).toMatchObject({ embedded: 10, pending: 0 });
    expect(r.stderr).toMatch(/10 chunks embedded/);
    const dims = await query<{ d: number }>(brain, 'select distinct array_length(vec, 1) as d from embeddings');
    expect(dims).toEqual([{ d: 100 }]);
    const e = await runCli(['--json', 'embed', '--all'], { db: brain });
    expect(e.code, describeRun(e)).toBe(0);
    expect(jsonOf<{ sources: { embedded: number; pending: number }[] }>(e).sources).toEqual([
      expect.objectContaining({ source: 'notes', embedded: 0, pending: 0 }),
    ]);
  });

  it('embeds through an http server with the key from the named variable; without the key the sync stands and the chunks wait', async () => {
    server = await startFakeEmbeddingServer({ dimensions: 24 });
    repo = await notes(3);
    const brain = await processBrain(backend);
    await runCli(['init'], { db: brain });
    const add = await runCli(
      ['sources', 'add', 'notes', repo.dir, '--embed', 'http:test-model', '--embed-url', server.url, '--embed-key-env', 'TEST_EMBED_KEY'],
      { db: brain },
    );
    expect(add.code, describeRun(add)).toBe(0);

    const noKey = await runCli(['--json', 'sync', '--source', 'notes'], { db: brain, env: { TEST_EMBED_KEY: '' } });
    expect(noKey.code, describeRun(noKey)).toBe(0);
    expect(resultOf(noKey)).toMatchObject({ status: 'synced', counts: { embedded: 0, pending: 6 } });
    expect(resultOf(noKey).message).toMatch(/embedding stopped: .*TEST_EMBED_KEY is not set/);
    expect(noKey.stderr).toMatch(/embedding stopped: .*TEST_EMBED_KEY is not set/);

    const e = await runCli(['--json', 'embed', '--source', 'notes'], { db: brain, env: { TEST_EMBED_KEY: 'sekrit' } });
    expect(e.code, describeRun(e)).toBe(0);
    expect(jsonOf<{ sources: unknown[] }>(e).sources).toEqual([expect.objectContaining({ embedded: 6, pending: 0 })]);
    const posts = server.embeddingRequests();
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => p.headers.authorization === 'Bearer sekrit')).toBe(true);
    expect(posts.flatMap((p) => p.inputs ?? [])).toEqual(expect.arrayContaining([expect.stringContaining('The ferry 0 leaves')]));
    const models = await query<{ provider: string; model: string; dimensions: number }>(
      brain, 'select provider, model, dimensions from embed_models',
    );
    expect(models).toEqual([{ provider: 'http', model: 'test-model', dimensions: 24 }]);
    const keyStored = await query<{ n: number }>(brain, `select count(*)::int as n from sources where embed_key_env = 'TEST_EMBED_KEY'`);
    expect(keyStored[0].n).toBe(1);
  });

  it('refuses an http model without a server, and an onnx directory that holds no model, as usage errors', async () => {
    repo = await notes(1);
    const brain = await processBrain(backend);
    await runCli(['init'], { db: brain });
    const noUrl = await runCli(['sources', 'add', 'notes', repo.dir, '--embed', 'http:m'], { db: brain });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/needs --embed-url/);
    const empty = await tempDir('brainsync-no-model-');
    const onnx = await runCli(['sources', 'add', 'notes', repo.dir, '--embed', `onnx:${empty}`], { db: brain });
    expect(onnx.code).toBe(2);
    expect(onnx.stderr).toMatch(/has no model\.onnx and no tokenizer\.json/);
  });

  it('embeds with an onnx model directory, and neither --no-embed nor a no-op sync loads onnxruntime', async () => {
    repo = await notes(4);
    const model = await tempDir('brainsync-onnx-');
    await writeTinyModel(model, { dims: 16 });
    const brain = await processBrain(backend);
    await runCli(['init'], { db: brain });
    expect((await runCli(['sources', 'add', 'notes', repo.dir, '--embed', `onnx:${model}`], { db: brain })).code).toBe(0);
    // NODE_DEBUG=module names every CommonJS module a process (and its worker threads) loads.
    const traced = { db: brain, env: { NODE_DEBUG: 'module' } };
    const noEmbed = await runCli(['--json', 'sync', '--source', 'notes', '--no-embed'], traced);
    expect(noEmbed.code, describeRun(noEmbed)).toBe(0);
    expect(resultOf(noEmbed).counts).toMatchObject({ embedded: 0, pending: 8 });
    expect(noEmbed.stderr).not.toMatch(/onnxruntime/);
    const embedded = await runCli(['--json', 'sync', '--source', 'notes'], traced);
    expect(resultOf(embedded).counts).toMatchObject({ embedded: 8, pending: 0 });
    expect(embedded.stderr).toMatch(/onnxruntime/);
    const noop = await runCli(['--json', 'sync', '--source', 'notes'], traced);
    expect(resultOf(noop).status).toBe('up_to_date');
    expect(noop.stderr).not.toMatch(/onnxruntime/);
    const dims = await query<{ d: number }>(brain, 'select distinct array_length(vec, 1) as d from embeddings');
    expect(dims).toEqual([{ d: 16 }]);
  });
});
