import { describe, expect, it } from 'vitest';
import { showPage } from '../../src/core/showPage.js';
import type { Db } from '../../src/db/Db.js';
import { backends } from '../helpers/brains.js';
import type { TestRepo } from '../helpers/gitRepo.js';
import { add, sync, useBrainAndRepo } from '../helpers/sync.js';

const page = (title: string, body = '') => `---\ntitle: ${title}\n---\n${body}\n`;

describe.each(backends())('pages show on %s', (backend) => {
  let db: Db;
  let repo: TestRepo;
  useBrainAndRepo(backend, (d, r) => ((db = d), (repo = r)));

  async function vault(): Promise<void> {
    await repo.write(
      'a/index.md',
      page('Index', '[[World]] [[b/world|the world]] [[Hello There]] [[Topic]] [[Nowhere]] [see](../b/world.md) [root](world.md)'),
    );
    await repo.write('b/World.md', page('Earth', 'No links.'));
    await repo.write('c/greeting.md', page('Hello There'));
    await repo.write('x/topic.md', page('Topic X'));
    await repo.write('y/deep/topic.md', page('Topic Y'));
    await repo.write('y/deep/notes.md', page('Notes', '[[Topic]]'));
    await repo.write('z/other.md', page('Other', '[[World]]'));
    await repo.write('z/world.md', page('Z World'));
    await repo.commit('vault');
    await add(db, 'notes', repo.dir);
    await sync(db, 'notes', { embed: false });
  }

  it('resolves each wikilink by slug, file name or title, with tie-breaks, and lists unresolved links', async () => {
    await vault();
    const { page: p, links } = await showPage(db, 'a/index', null);
    expect(p).toMatchObject({ source: 'notes', path: 'a/index.md', title: 'Index' });
    const summary = Object.fromEntries(
      links.map((l) => [`${l.kind}:${l.targetSlug}`, l.resolved && `${l.resolved.slug} ${l.resolved.rule} ${l.resolved.tieBreak ?? '-'}`]),
    );
    expect(summary).toEqual({
      'wiki:world': 'b/world file_name shortest_path', // b/world and z/world: same depth, b first by name
      'wiki:b/world': 'b/world slug -',
      'wiki:hello-there': 'c/greeting title -',
      'wiki:topic': 'x/topic file_name shortest_path',
      'wiki:nowhere': null,
      'markdown:b/world': 'b/world slug -',
      'markdown:a/world': null, // a path: never resolved by name
    });
    expect(links.find((l) => l.targetSlug === 'b/world' && l.kind === 'wiki')?.label).toBe('the world');
  });

  it('prefers a page in the linking page\'s directory', async () => {
    await vault();
    const { links } = await showPage(db, 'y/deep/notes', null);
    expect(links[0].resolved).toMatchObject({ slug: 'y/deep/topic', rule: 'file_name', tieBreak: 'same_directory', matches: 2 });
    const other = await showPage(db, 'z/other', null);
    expect(other.links[0].resolved).toMatchObject({ slug: 'z/world', tieBreak: 'same_directory' });
  });

  it('lists as backlinks exactly the links that resolve to the page', async () => {
    await vault();
    const world = await showPage(db, 'b/world', null);
    expect(world.backlinks.map((b) => `${b.slug} ${b.kind} ${b.rule}`)).toEqual([
      'a/index markdown slug',
      'a/index wiki slug',
      'a/index wiki file_name',
    ]); // z/other's [[World]] goes to z/world, next to it
    expect((await showPage(db, 'z/world', null)).backlinks.map((b) => b.slug)).toEqual(['z/other']);
    expect((await showPage(db, 'c/greeting', null)).backlinks).toMatchObject([{ slug: 'a/index', rule: 'title' }]);
    expect((await showPage(db, 'y/deep/topic', null)).backlinks.map((b) => b.slug)).toEqual(['y/deep/notes']);
    expect((await showPage(db, 'x/topic', null)).backlinks.map((b) => b.slug)).toEqual(['a/index']);
  });

  it('refuses an unknown slug, naming the page a wikilink of that text leads to', async () => {
    await vault();
    await expect(showPage(db, 'greeting', null)).rejects.toThrow(/no page with slug "greeting"\. A wikilink \[\[greeting\]\] leads to c\/greeting\./);
    await expect(showPage(db, 'nothing-here', 'notes')).rejects.toThrow(/no page with slug "nothing-here" in source notes\. `brainsync/);
  });
});
