import { describe, expect, it } from 'vitest';
import { compareWithTree } from '../../../src/core/compareWithTree.js';
import { fileSelector } from '../../../src/core/selectFiles.js';
import type { TreeEntry } from '../../../src/git/lsTree.js';

const oid = (c: string) => c.repeat(40);
const file = (path: string, c: string, mode = '100644'): TreeEntry => ({ path, oid: oid(c), mode, type: 'blob' });
const pages = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([p, c]) => [p, oid(c)]));

describe('compareWithTree', () => {
  const tree = [file('a.md', 'a'), file('dir/b.md', 'b'), file('image.png', 'c'), file('private/c.md', 'd'), file('.brainsyncignore', 'e')];
  const select = fileSelector('private/\n');

  it('finds nothing when the pages are exactly the selected files at their blobs', () => {
    const c = compareWithTree(tree, pages({ 'a.md': 'a', 'dir/b.md': 'b' }), new Map(), select);
    expect(c).toEqual({ missing: [], extra: [], outdated: [], failed: 0, files: 2 });
  });

  it('reports missing, extra (gone, ignored, not markdown) and out-of-date pages, sorted', () => {
    const stored = pages({ 'dir/b.md': 'f', 'zz.md': 'a', 'private/c.md': 'd', 'image.png': 'c' });
    const c = compareWithTree(tree, stored, new Map(), select);
    expect(c.missing).toEqual(['a.md']);
    expect(c.extra).toEqual(['image.png', 'private/c.md', 'zz.md']);
    expect(c.outdated).toEqual(['dir/b.md']);
  });

  it("counts a failure recorded at the tree's blob as failed, whether the page is absent or stale", () => {
    const failures = pages({ 'a.md': 'a', 'dir/b.md': 'b' });
    const c = compareWithTree(tree, pages({ 'dir/b.md': 'f' }), failures, select);
    expect(c).toEqual({ missing: [], extra: [], outdated: [], failed: 2, files: 2 });
  });

  it('does not excuse a page by a failure recorded at another blob', () => {
    const c = compareWithTree(tree, pages({ 'dir/b.md': 'f' }), pages({ 'a.md': '9', 'dir/b.md': '8' }), select);
    expect(c.missing).toEqual(['a.md']);
    expect(c.outdated).toEqual(['dir/b.md']);
    expect(c.failed).toBe(0);
  });

  it('accounts a refused file (a symlink) by its failure record only, and reports a page stored for it as extra', () => {
    const withLink = [...tree, file('link.md', '7', '120000')];
    const stored = pages({ 'a.md': 'a', 'dir/b.md': 'b' });
    expect(compareWithTree(withLink, stored, pages({ 'link.md': '7' }), select).failed).toBe(1);
    expect(compareWithTree(withLink, stored, new Map(), select).missing).toEqual(['link.md']);
    expect(compareWithTree(withLink, pages({ 'a.md': 'a', 'dir/b.md': 'b', 'link.md': '7' }), pages({ 'link.md': '7' }), select).extra).toEqual(['link.md']);
  });

  it('keys failures of paths that are not UTF-8 by their display form', () => {
    const bad = '\udcff.md';
    const c = compareWithTree([file(bad, '1')], new Map(), pages({ '\\xff.md': '1' }), fileSelector(null));
    expect(c).toEqual({ missing: [], extra: [], outdated: [], failed: 1, files: 1 });
  });
});
