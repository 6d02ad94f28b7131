import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { processBrain, removeTemps } from './fixtures.js';

describe('pages show through the CLI', () => {
  let brain: TestBrain;
  let repo: TestRepo;
  beforeAll(async () => {
    brain = await processBrain('pglite');
    repo = await createRepo();
    await repo.write('a/index.md', '---\ntitle: Index\ntags: [hub]\nstatus: draft\n---\nSee [[World]] and [[Nowhere]].\n');
    await repo.write('b/world.md', '# Earth\n\nBack to [[index|the index]].\n');
    await repo.commit('first');
    expect((await runCli(['sources', 'add', 'notes', repo.dir], { db: brain })).code).toBe(0);
    const synced = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain });
    expect(synced.code, describeRun(synced)).toBe(0);
  });
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });
  afterEach(killAllCli);

  it('prints the body on stdout, and frontmatter and resolved links on stderr', async () => {
    const r = await runCli(['pages', 'show', 'b/world'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe('# Earth\n\nBack to [[index|the index]].\n');
    expect(r.stderr).toMatch(/links out \(1\):\n {2}\[\[index\]\] "the index" → a\/index \(file name\)/);
    expect(r.stderr).toMatch(/links in \(1\):\n {2}a\/index "Index" \(wiki, file name\)/);
    const index = await runCli(['pages', 'show', 'a/index'], { db: brain });
    expect(index.stderr).toMatch(/^frontmatter:$/m);
    // jsonb keeps its own key order
    for (const line of ['  title: "Index"', '  tags: ["hub"]', '  status: "draft"']) expect(index.stderr.split('\n')).toContain(line);
    expect(index.stderr).toMatch(/\[\[nowhere\]\] → unresolved/);
  });

  it('gives the same structure as one JSON document', async () => {
    const r = await runCli(['pages', 'show', 'a/index', '--json'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    expect(jsonOf(r)).toMatchObject({
      source: 'notes', path: 'a/index.md', slug: 'a/index', title: 'Index', tags: ['hub'],
      frontmatter: { title: 'Index', tags: ['hub'], status: 'draft' },
      body: 'See [[World]] and [[Nowhere]].\n',
      links: [
        { targetSlug: 'nowhere', label: null, kind: 'wiki', resolved: null },
        { targetSlug: 'world', kind: 'wiki', resolved: { path: 'b/world.md', slug: 'b/world', title: 'Earth', rule: 'file_name', tieBreak: null, matches: 1 } },
      ],
      backlinks: [{ path: 'b/world.md', slug: 'b/world', label: 'the index', kind: 'wiki', rule: 'file_name' }],
    });
  });

  it('exits 2 on an unknown slug and names the page a wikilink of that text leads to', async () => {
    const r = await runCli(['pages', 'show', 'World'], { db: brain });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/no page with slug "World"\. A wikilink \[\[World\]\] leads to b\/world\./);
  });
});
