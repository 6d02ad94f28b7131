import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { describeRun, jsonOf, killAllCli, query, runCli, startCli, waitForExit, waitUntil } from '../helpers/cli.js';
import { embeddingsBody, sendJson, startFakeEmbeddingServer, type FakeEmbeddingServer } from '../helpers/fakeEmbeddingServer.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import type { TestBrain } from '../helpers/brains.js';
import { processBrain, removeTemps } from './fixtures.js';

let server: FakeEmbeddingServer | null = null;
let repo: TestRepo | null = null;
afterEach(async () => {
  await killAllCli();
  await server?.close();
  await repo?.cleanup();
  server = repo = null;
});
afterAll(removeTemps);

interface EmbedJson {
  exitCode: number;
  sources: { source: string; embedded: number; pending: number; error: string | null }[];
}

/** A Postgres brain whose source has `pages` × 2 chunks waiting, embedded through a slow http server. */
async function backlog(pages: number, delayMs: number): Promise<TestBrain> {
  // Every answer takes a while, so that batches overlap and a worker can be killed mid-batch.
  server = await startFakeEmbeddingServer({
    dimensions: 8,
    respond: async (req, res) => {
      if (req.path !== '/v1/embeddings' || !req.inputs) return false;
      await new Promise((r) => setTimeout(r, delayMs));
      if (!res.destroyed) sendJson(res, 200, embeddingsBody(req.inputs, 8));
      return true;
    },
  });
  repo = await createRepo();
  for (let i = 0; i < pages; i++) await repo.write(`n${i}.md`, `# Note ${i}\n\nHarbour ${i} opens.\n\n## Later\n\nBoat ${i} sails.\n`);
  await repo.commit('notes');
  const brain = await processBrain('postgres');
  await runCli(['init'], { db: brain });
  await runCli(['sources', 'add', 'notes', repo.dir, '--embed', 'http:slow', '--embed-url', server.url], { db: brain });
  const s = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain });
  expect(s.code, describeRun(s)).toBe(0);
  return brain;
}

/** How often the server was asked to embed each text (the probe text left out). */
function timesEmbedded(): Map<string, number> {
  const seen = new Map<string, number>();
  for (const r of server!.embeddingRequests()) {
    for (const text of r.inputs ?? []) if (text !== 'brainsync probe') seen.set(text, (seen.get(text) ?? 0) + 1);
  }
  return seen;
}

describe.skipIf(!inject('pgAdminUrl'))('several embed workers on one Postgres', () => {
  it('two processes share the backlog: every chunk embedded exactly once, and both do work', async () => {
    const brain = await backlog(400, 150);
    const [a, b] = await Promise.all([
      startCli(['--json', 'embed', '--source', 'notes'], { db: brain }),
      startCli(['--json', 'embed', '--source', 'notes'], { db: brain }),
    ]);
    const [ra, rb] = await Promise.all([waitForExit(a), waitForExit(b)]);
    expect(ra.code, describeRun(ra)).toBe(0);
    expect(rb.code, describeRun(rb)).toBe(0);
    const ea = jsonOf<EmbedJson>(ra).sources[0];
    const eb = jsonOf<EmbedJson>(rb).sources[0];
    expect(ea.embedded + eb.embedded).toBe(800);
    expect(ea.embedded).toBeGreaterThan(0);
    expect(eb.embedded).toBeGreaterThan(0);
    const seen = timesEmbedded();
    expect(seen.size).toBe(800);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect((await query<{ n: number }>(brain, 'select count(*)::int as n from embeddings'))[0].n).toBe(800);
  });

  it('a worker killed mid-batch leaves claims that the next worker gives back (its pid is dead), and it finishes the backlog', async () => {
    const brain = await backlog(300, 400);
    const victim = await startCli(['embed', '--source', 'notes'], { db: brain });
    await waitUntil('the first worker to have claimed a batch', async () => {
      const rows = await query<{ n: number }>(brain, 'select count(*)::int as n from embed_queue where claimed_by is not null');
      return rows[0].n > 0;
    }, { alive: victim });
    victim.child.kill('SIGKILL');
    await waitForExit(victim);
    const claimed = await query<{ n: number }>(brain, 'select count(*)::int as n from embed_queue where claimed_by is not null');
    expect(claimed[0].n).toBeGreaterThan(0);
    // Its claims would expire after two minutes; a worker on this host whose pid is dead is
    // known to be gone, so the next one gives them back at once.
    const rest = await runCli(['--json', 'embed', '--source', 'notes'], { db: brain });
    expect(rest.code, describeRun(rest)).toBe(0);
    expect(jsonOf<EmbedJson>(rest).sources[0].pending).toBe(0);
    expect((await query<{ n: number }>(brain, 'select count(*)::int as n from embeddings'))[0].n).toBe(600);
    // At most the batch in flight was embedded twice.
    const twice = [...timesEmbedded().values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(512);
  });
});
