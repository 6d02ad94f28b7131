import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { brainPages, describeRun, killAllCli, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { note } from '../helpers/sync.js';
import { brainWithSource, removeTemps } from './fixtures.js';

/**
 * On PGLite the CLI runs Postgres's wasm on V8's baseline tier for short commands and lets V8
 * optimise it for long work (src/cli/wasmTier.ts). The choice is made from the status manifest
 * before the brain opens; whichever tier runs, the brain must hold exactly what git holds.
 */

const tierLine = (tier: 'baseline' | 'optimising') => new RegExp(`PGLite runs on V8's ${tier} wasm tier`);

let repo: TestRepo | undefined;
afterEach(() => killAllCli());
afterAll(async () => {
  await repo?.cleanup();
  await removeTemps();
});

describe('wasm tier of the PGLite brain', () => {
  it('optimises a first sync and --full, runs an incremental sync, a sync under a budget of 10 s and readers on the baseline tier, and both write the same pages', async () => {
    repo = await createRepo();
    for (let i = 0; i < 30; i++) await repo.write(`n${i}.md`, note(`Note ${i}`, `body ${i}`));
    await repo.commit('thirty notes');
    const brain = await brainWithSource('pglite', 'notes', repo.dir);

    const first = await runCli(['--debug', 'sync', '--source', 'notes', '--no-embed'], { db: brain });
    expect(first.code, describeRun(first)).toBe(0);
    expect(first.stderr).toMatch(tierLine('optimising'));

    await repo.write('n3.md', note('Note 3', 'changed body'));
    await repo.write('new.md', note('New', 'a new page'));
    await repo.remove('n7.md');
    await repo.commit('edit, add, delete');
    const inc = await runCli(['--debug', 'sync', '--source', 'notes', '--no-embed'], { db: brain });
    expect(inc.code, describeRun(inc)).toBe(0);
    expect(inc.stderr).toMatch(tierLine('baseline'));
    expect(inc.stderr).not.toMatch(tierLine('optimising'));

    const full = await runCli(['--debug', 'sync', '--source', 'notes', '--full', '--no-embed'], { db: brain });
    expect(full.code, describeRun(full)).toBe(0);
    expect(full.stderr).toMatch(tierLine('optimising'));
    // A budget of at most 10 s bounds the work, whatever the run would otherwise do.
    const bounded = await runCli(['--debug', 'sync', '--source', 'notes', '--full', '--no-embed', '--timeout', '10'], { db: brain });
    expect(bounded.code, describeRun(bounded)).toBe(0);
    expect(bounded.stderr).toMatch(tierLine('baseline'));
    expect(bounded.stderr).not.toMatch(tierLine('optimising'));

    const verify = await runCli(['--debug', 'verify', '--all'], { db: brain });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(verify.stderr).toMatch(tierLine('baseline'));
    const pages = await brainPages(brain, 'notes');
    expect(pages.size).toBe(30);
    expect(pages.has('new.md')).toBe(true);
    expect(pages.has('n7.md')).toBe(false);
  });
});
