import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeRun, killAllCli, runCli, startCli, waitForExit } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { brainWithSource, removeTemps } from './fixtures.js';

describe('a reader that closes stdout early (| head -1)', () => {
  let repo: TestRepo;
  afterEach(killAllCli);
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });

  it('is a normal end: no EPIPE stack, and the command keeps its own exit code', async () => {
    repo = await createRepo();
    for (let i = 0; i < 50; i++) await repo.write(`notes/page-${i}.md`, `# Page ${i}\n\nText ${i}.\n`);
    await repo.commit('pages');
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const synced = await runCli(['sync', '--all'], { db: brain });
    expect(synced.code, describeRun(synced)).toBe(0);

    for (const args of [['pages', 'list', '--source', 'notes', '--json'], ['sync', '--all', '--json']]) {
      const proc = await startCli(['--json', ...args], { db: brain });
      // The reading end of the real pipe goes away before the CLI has written anything: its
      // first write to stdout meets a pipe nobody reads (EPIPE).
      proc.child.stdout!.destroy();
      const r = await waitForExit(proc, 60_000);
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stderr).not.toMatch(/EPIPE|unexpected failure|\n\s+at /);
    }
  });
});
