import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, query, repoRoot, runCli, type CliResult, type SyncJson } from '../helpers/cli.js';
import { createRepo, runTestGit, type TestRepo } from '../helpers/gitRepo.js';
import { note } from '../helpers/sync.js';
import type { SourceStatus } from '../../src/status/sourceStatus.js';
import { brainWithSource, removeTemps, tempDir } from './fixtures.js';

/**
 * A local checkout whose branch cannot be pulled (diverged from its upstream, or local changes
 * in the way) syncs as it is, and every run ends well; but nothing pushed upstream arrives any
 * more. `status` must say so, and count the source's staleness from the first run that found
 * it, through the no-op fast path too, which used to answer such a source as fresh forever.
 */

const answered = /answered from the status manifest without opening the brain/;

async function sync(brain: TestBrain): Promise<CliResult & { doc: SyncJson }> {
  const r = await runCli(['--debug', '--json', 'sync', '--source', 'notes'], { db: brain });
  return { ...r, doc: jsonOf<SyncJson>(r) };
}

async function statusOf(brain: TestBrain, args: string[] = []): Promise<CliResult & { sources: SourceStatus[] }> {
  const r = await runCli(['--json', 'status', ...args], { db: brain });
  return { ...r, sources: jsonOf<{ sources: SourceStatus[] }>(r).sources };
}

let upstream: TestRepo | undefined;
afterEach(async () => {
  await killAllCli();
  await upstream?.cleanup();
});
afterAll(removeTemps);

describe('status of a source whose local branch cannot be pulled', () => {
  it('shows when it diverged, counts staleness from then through no-op runs, and clears once the branch is reconciled', async () => {
    upstream = await createRepo();
    await upstream.write('a.md', note('A'));
    await upstream.commit('one');
    const clone = join(await tempDir('brainsync-clone-'), 'notes');
    await runTestGit(repoRoot, ['clone', '-q', upstream.dir, clone]);
    await runTestGit(clone, ['config', 'user.email', 't@example.com']);
    await runTestGit(clone, ['config', 'user.name', 'T']);
    const brain = await brainWithSource('pglite', 'notes', clone);

    // Local work not pushed yet: the branch holds all the upstream has, and the brain its tip.
    await runTestGit(clone, ['commit', '-q', '--allow-empty', '-m', 'local work']);
    expect((await sync(brain)).doc.sources[0]).toMatchObject({ status: 'synced', pull: 'pulled' });
    expect((await sync(brain)).stderr).toMatch(answered);

    // The upstream moves on: the tip is still the bookmark, but the branch has diverged. The
    // no-op path must not answer this run, whose news is for the brain to record.
    await upstream.write('b.md', note('B'));
    await upstream.commit('two');
    const found = await sync(brain);
    expect(found.stderr, describeRun(found)).toMatch(/not answered from the status manifest: notes cannot be pulled now \(diverged\)/);
    expect(found.doc.sources[0]).toMatchObject({ status: 'up_to_date', pull: 'not_fast_forward' });
    expect(found.stderr).toMatch(/diverged from its upstream, so it was not pulled/);
    // Nothing new since: answered from the manifest again, still with the warning.
    const again = await sync(brain);
    expect(again.stderr, describeRun(again)).toMatch(answered);
    expect(again.stderr).toMatch(/diverged from its upstream, so it was not pulled/);

    const st = await statusOf(brain);
    expect(st.sources[0]).toMatchObject({ pullBlockedSince: expect.any(String), pullBlockedBy: 'diverged' });
    const human = await runCli(['status'], { db: brain });
    expect(human.stderr).toMatch(/ago, not pulled for \d[^ ]* \(diverged\)/);
    expect(human.stderr).toMatch(/notes: branch "main" diverged from its upstream .* ago, so the upstream's changes are not synced\. Reconcile it with git/);
    expect((await runCli(['status', '--format', 'prometheus'], { db: brain })).stdout)
      .toMatch(/^brainsync_source_pull_blocked\{brain="[^"]*",source="notes"\} 1$/m);

    // Three hours ago by the database's clock (`init` rebuilds the manifest from it). Runs go
    // on succeeding, answered from the manifest, yet the source is three hours stale.
    await query(brain, "update sources set pull_blocked_since = pull_blocked_since - interval '3 hours'");
    expect((await runCli(['init', '-q'], { db: brain })).code).toBe(0);
    expect((await sync(brain)).stderr).toMatch(answered);
    const stale = await runCli(['status', '--max-staleness', '2h'], { db: brain });
    expect(stale.code, describeRun(stale)).toBe(1);
    expect(stale.stderr).toMatch(/notes is stale: its branch has not been pulled for 3h\d*m? \(diverged from its upstream\), so nothing pushed since was synced/);
    const staleJson = await statusOf(brain, ['--max-staleness', '2h']);
    expect(staleJson.sources[0].stalenessSeconds).toBeGreaterThan(3 * 3600 - 60);
    expect(Date.now() - Date.parse(staleJson.sources[0].lastSuccessAt!)).toBeLessThan(60_000);

    // Reconciled (a merge of the upstream): the next run pulls and syncs, and the source is fresh.
    await runTestGit(clone, ['merge', '-q', '--no-edit', 'origin/main']);
    expect((await sync(brain)).doc.sources[0]).toMatchObject({ status: 'synced', pull: 'pulled', counts: { imported: 1 } });
    const fresh = await statusOf(brain, ['--max-staleness', '2h']);
    expect(fresh.code, describeRun(fresh)).toBe(0);
    expect(fresh.sources[0]).toMatchObject({ pullBlockedSince: null, pullBlockedBy: null });
    expect((await runCli(['status', '--format', 'prometheus'], { db: brain })).stdout)
      .toMatch(/^brainsync_source_pull_blocked\{brain="[^"]*",source="notes"\} 0$/m);
  });
});
