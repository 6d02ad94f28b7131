import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends } from '../helpers/brains.js';
import { describeRun, killAllCli, query, resultOf, runCli, sleep, startCli, waitForExit, waitForPhase } from '../helpers/cli.js';
import { brainWithSource, makeCorpus, removeTemps, type Corpus } from './fixtures.js';

let corpus: Corpus;
afterEach(killAllCli);
afterAll(removeTemps);

describe.each(backends())('a sync killed during its embed phase on %s', (backend) => {
  it('keeps its bookmark and committed vectors; the next run embeds the rest and nothing is missing', async () => {
    corpus ??= await makeCorpus(1500, 3);
    const brain = await brainWithSource(backend, 'notes', corpus.dir);
    const victim = await startCli(['sync', '--source', 'notes'], { db: brain });
    await waitForPhase(victim, 'notes', 'embed');
    await sleep(300);
    victim.child.kill('SIGKILL');
    await waitForExit(victim);
    // Status tells the truth before any other run: synced (the bookmark was written), with a backlog.
    const status = await runCli(['--json', 'status', '--live', '--max-staleness', '1h'], { db: brain });
    expect(status.code, describeRun(status)).toBe(0);
    const shown = (JSON.parse(status.stdout) as { sources: Array<{ lastSuccessAt: string | null; embedPending: number }> }).sources[0];
    expect(shown.lastSuccessAt).not.toBeNull();
    expect(shown.embedPending).toBeGreaterThan(0);
    // PGLite: the dead holder's directory lock and lock row are taken over at once; Postgres:
    // --break-lock breaks the row of a holder whose pid is dead on this host.
    const next = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock'], { db: brain });
    expect(next.code, describeRun(next)).toBe(0);
    const r = resultOf(next);
    expect(r.status).toBe('up_to_date');
    expect(r.counts.pending).toBe(0);
    const missing = await query<{ n: number }>(
      brain,
      `select count(distinct c.chunk_hash)::int as n from chunks c
        where not exists (select 1 from embeddings e where e.chunk_hash = c.chunk_hash)`,
    );
    expect(missing[0].n).toBe(0);
    const total = await query<{ n: number }>(brain, 'select count(distinct chunk_hash)::int as n from chunks');
    expect(r.counts.embedded).toBeLessThanOrEqual(total[0].n);
  });
});
