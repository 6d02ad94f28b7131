import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addSource } from '../../src/core/addSource.js';
import { parseManifest } from '../../src/status/manifest.js';
import { manifestPath } from '../../src/status/manifestPath.js';
import { backends } from '../helpers/brains.js';
import { describeRun, killAllCli, repoRoot, jsonOf, startCli, waitForExit, withDb, type SyncJson } from '../helpers/cli.js';
import { makeCorpus, processBrain, removeTemps, tempDir } from './fixtures.js';

afterEach(killAllCli);
afterAll(removeTemps);

describe.skipIf(!backends().includes('postgres'))('two processes rewriting one Postgres brain\'s manifest', () => {
  it('never show a reader unparsable JSON, and neither loses the other\'s updates', async () => {
    const corpus = await makeCorpus(150, 11);
    const brain = await processBrain('postgres');
    const groups = { a: ['a1', 'a2', 'a3', 'a4'], b: ['b1', 'b2', 'b3', 'b4'] };
    await withDb(brain, async (db) => {
      for (const name of [...groups.a, ...groups.b]) await addSource(db, { name, repo: corpus.dir, cwd: repoRoot });
    });
    // Both writers share one home, so one manifest file, as two cron jobs on one host would.
    const home = await tempDir('brainsync-home-');
    const path = manifestPath(brain.target, home);
    const env = { BRAINSYNC_HOME: home };
    const runs = Object.values(groups).map((names) =>
      startCli(['--json', 'sync', '--source', ...names, '--max-sources', '4', '--workers', '1', '--no-embed'], { db: brain, env }),
    );
    const procs = await Promise.all(runs);

    let reads = 0;
    const torn: string[] = [];
    const reader = (async () => {
      while (!procs.every((p) => p.done())) {
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch {
          continue; // not written yet
        }
        reads++;
        try {
          parseManifest(text);
        } catch (err) {
          torn.push(`${(err as Error).message}: ${text.slice(0, 200)}`);
        }
      }
    })();
    const results = await Promise.all(procs.map((p) => waitForExit(p, 180_000)));
    await reader;
    for (const r of results) expect(r.code, describeRun(r)).toBe(0);
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(10);

    // Whichever process wrote last saw the other's committed runs.
    const runIds = new Map(results.flatMap((r) => jsonOf<SyncJson>(r).sources.map((s) => [s.source, s.runId])));
    const m = parseManifest(await readFile(path, 'utf8'));
    expect(m.sources.map((s) => [s.name, s.lastRun?.runId, s.lastRun?.status, s.lock])).toEqual(
      [...groups.a, ...groups.b].map((name) => [name, runIds.get(name), 'synced', null]),
    );
    // `status` finds the file in the same home, keyed by the database.
    const st = await waitForExit(await startCli(['--json', 'status', '--source', 'b2'], { db: brain, env }));
    expect(st.stderr).toBe('');
    expect(jsonOf<{ from: string; sources: Array<{ name: string; lastRun: { runId: string } }> }>(st)).toMatchObject({
      from: 'manifest', sources: [{ name: 'b2', lastRun: { runId: runIds.get('b2') } }],
    });
  });
});
