import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { createRepo, makeTempDir } from '../helpers/gitRepo.js';
import { processBrain, removeTemps } from './fixtures.js';

describe('sources remove', () => {
  afterAll(removeTemps);

  it('asks for --yes (exit 2, nothing removed), then removes the source, its pages and its mirror', async () => {
    const brain = await processBrain('pglite');
    const home = await makeTempDir('brainsync-home-');
    const origin = await createRepo();
    await origin.write('a.md', '# A\n');
    await origin.commit('first');
    const env = { BRAINSYNC_HOME: home };
    expect((await runCli(['sources', 'add', 'remote', `file://${origin.dir}`], { db: brain, env })).code).toBe(0);
    const synced = await runCli(['sync', '--source', 'remote'], { db: brain, env });
    expect(synced.code, describeRun(synced)).toBe(0);
    const mirrorsRoot = join(home, 'mirrors');
    const [brainKey] = readdirSync(mirrorsRoot);
    const mirror = join(mirrorsRoot, brainKey, 'remote');
    expect(existsSync(mirror)).toBe(true);

    const asked = await runCli(['sources', 'remove', 'remote'], { db: brain, env });
    expect(asked.code, describeRun(asked)).toBe(2);
    expect(asked.stderr).toMatch(/would remove source remote with 1 pages.*run again with --yes/);
    expect(existsSync(mirror)).toBe(true);

    const removed = await runCli(['sources', 'remove', 'remote', '--yes'], { db: brain, env });
    expect(removed.code, describeRun(removed)).toBe(0);
    expect(existsSync(mirror)).toBe(false);
    expect(existsSync(origin.dir)).toBe(true);
    const list = await runCli(['sources', 'list', '--json'], { db: brain, env });
    expect(JSON.parse(list.stdout)).toEqual([]);
    await origin.cleanup();
  });
});
