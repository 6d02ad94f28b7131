import { describe, expect, it } from 'vitest';
import { resolveLink, targetsOf, titleFilter, titleSlug, type LinkCandidate } from '../../../src/core/resolveLink.js';
import { slugFromPath } from '../../../src/markdown/slugFromPath.js';

let nextId = 1;
const page = (path: string, title = 'Untitled'): LinkCandidate => ({ id: nextId++, path, slug: slugFromPath(path), title });
const wiki = (text: string) => ({ targetSlug: slugFromPath(text), kind: 'wiki' as const });

describe('resolveLink', () => {
  const world = page('b/World.md', 'Earth');
  const greeting = page('c/greeting.md', 'Hello There');
  const rootWorld = page('world.md', 'Root');

  it('prefers an exact slug, then a file name, then a title', () => {
    expect(resolveLink(wiki('World'), 'a/index.md', [world, rootWorld])).toMatchObject({ page: rootWorld, rule: 'slug', tieBreak: null });
    expect(resolveLink(wiki('World'), 'a/index.md', [world, greeting])).toMatchObject({ page: world, rule: 'file_name', matches: 1 });
    expect(resolveLink(wiki('Hello There'), 'a/index.md', [world, greeting])).toMatchObject({ page: greeting, rule: 'title' });
    const named = page('d/hello-there.md', 'Other');
    expect(resolveLink(wiki('hello there'), 'a/index.md', [greeting, named])).toMatchObject({ page: named, rule: 'file_name' });
  });

  it('matches file names and titles regardless of case and punctuation, and a link with folders by its tail', () => {
    expect(resolveLink(wiki('WORLD'), 'x.md', [world])?.page).toBe(world);
    expect(resolveLink(wiki('hello, there!'), 'x.md', [greeting])?.page).toBe(greeting);
    const deep = page('notes/b/world.md');
    expect(resolveLink(wiki('b/World'), 'x.md', [deep])).toMatchObject({ page: deep, rule: 'file_name' });
    expect(resolveLink(wiki('orld'), 'x.md', [world])).toBeNull();
  });

  it('breaks a tie by the linking page\'s directory, else by the shortest path, and says so', () => {
    const x = page('x/topic.md');
    const deep = page('y/deep/topic.md');
    const other = page('w/topic.md');
    expect(resolveLink(wiki('Topic'), 'y/deep/notes.md', [x, deep])).toMatchObject({ page: deep, tieBreak: 'same_directory', matches: 2 });
    expect(resolveLink(wiki('Topic'), 'a/index.md', [deep, x])).toMatchObject({ page: x, tieBreak: 'shortest_path' });
    // Same depth and length: by name, so the answer never depends on row order.
    expect(resolveLink(wiki('Topic'), 'a/index.md', [x, other])?.page).toBe(other);
    expect(resolveLink(wiki('Topic'), 'a/index.md', [other, x])?.page).toBe(other);
  });

  it('resolves a markdown link only by its exact slug', () => {
    expect(resolveLink({ targetSlug: 'world', kind: 'markdown' }, 'a/index.md', [world])).toBeNull();
    expect(resolveLink({ targetSlug: 'b/world', kind: 'markdown' }, 'a/index.md', [world])).toMatchObject({ page: world, rule: 'slug' });
  });
});

describe('targetsOf', () => {
  it('lists the slug, each shorter tail and the title slug', () => {
    expect(targetsOf({ slug: 'a/b/world', title: 'Hello World' }).sort()).toEqual(['a/b/world', 'b/world', 'hello-world', 'world']);
  });
});

describe('titleFilter', () => {
  /** Postgres `~*` as a C-locale server does it: only ASCII letters fold. */
  function matches(text: string, regex: string): boolean {
    return new RegExp(regex, 'su').test(text.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  }
  const titles = [
    'Hello There', 'İstanbul notes', 'KELVIN \u212a scale', 'Cafe\u0301 menu', 'Café', '🚀', '日本語のノート', 'Q3 Plan.md', 'a/b testing',
    'ÀÉÎ', 'Straße', 'x_y.z', '100% done', '(draft) Ideas',
  ];

  it('matches every title whose slug is one of the targets (a superset for the exact comparison)', () => {
    for (const title of titles) {
      const regex = titleFilter([titleSlug(title), 'unrelated-target']);
      expect(matches(title, regex), `${title} / ${regex}`).toBe(true);
    }
  });

  it('narrows by the ASCII runs of each target', () => {
    expect(titleFilter(['hello-there', 'q3'])).toBe('(?:hello.*there)|(?:q3)');
    expect(titleFilter(['kiwi'])).toBe('(?:..w.)');
    expect(titleFilter(['hello', '日本語'])).toBe('');
    expect(matches('Goodbye', titleFilter(['hello-there']))).toBe(false);
    expect(matches('There, hello', titleFilter(['hello-there']))).toBe(false);
  });
});
