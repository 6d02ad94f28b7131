import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeRun, killAllCli, query, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { brainWithSource, removeTemps } from './fixtures.js';

/**
 * The `yaml` library is loaded only when a file's frontmatter needs the full parser
 * (src/markdown/yamlLibrary.ts): loading it is a noticeable part of an incremental run's
 * start-up. Node's module debug log shows every CommonJS file it loads.
 */

const loadsYaml = /load "[^"]*node_modules\/yaml\/dist\/index\.js"/;

let repo: TestRepo | undefined;
afterEach(() => killAllCli());
afterAll(async () => {
  await repo?.cleanup();
  await removeTemps();
});

async function frontmatterOf(brain: Parameters<typeof query>[0], path: string): Promise<Record<string, unknown>> {
  const rows = await query<{ fm: Record<string, unknown> }>(brain, 'select frontmatter as fm from pages where path = $1', [path]);
  return rows[0].fm;
}

describe('loading the YAML library', () => {
  it('syncs common frontmatter without it, and loads it for a file that needs the full parser', async () => {
    repo = await createRepo();
    await repo.write('plain.md', '---\ntitle: Plain\ntags: [a, b]\ncreated: 2024-06-01\ncount: 0x1F\n---\n# Plain\n\ntext\n');
    await repo.write('list.md', '---\ntitle: List\naliases:\n  - L\n  - "The list"\nowner:\n  name: Ann\n---\ntext\n');
    await repo.commit('simple frontmatter');
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const env = { NODE_DEBUG: 'module' };

    const first = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain, env });
    expect(first.code, describeRun(first)).toBe(0);
    expect(first.stderr).not.toMatch(loadsYaml);
    expect(await frontmatterOf(brain, 'plain.md')).toEqual({ title: 'Plain', tags: ['a', 'b'], created: '2024-06-01', count: 31 });
    expect(await frontmatterOf(brain, 'list.md')).toEqual({ title: 'List', aliases: ['L', 'The list'], owner: { name: 'Ann' } });

    // An anchor and an alias are outside the fast path's subset.
    await repo.write('anchor.md', '---\ntitle: Anchor\nbase: &b shared\nother: *b\n---\ntext\n');
    await repo.commit('frontmatter with an alias');
    const second = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain, env });
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stderr).toMatch(loadsYaml);
    expect(await frontmatterOf(brain, 'anchor.md')).toEqual({ title: 'Anchor', base: 'shared', other: 'shared' });
  });
});
