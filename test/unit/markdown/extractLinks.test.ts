import { describe, expect, it } from 'vitest';
import { parseOk } from './parseOk.js';

const linksOf = (body: string, path = 'notes/page.md') => parseOk(path, body).links;

describe('wikilinks', () => {
  it('turns [[target]] into a wiki link whose target is the slug of the name', () => {
    expect(linksOf('See [[Q3 Plan]].')).toEqual([{ targetSlug: 'q3-plan', label: null, kind: 'wiki' }]);
  });

  it('reads the label after a bar', () => {
    expect(linksOf('[[Q3 Plan|the plan]]')).toEqual([{ targetSlug: 'q3-plan', label: 'the plan', kind: 'wiki' }]);
  });

  it('drops the heading or block part of the target', () => {
    expect(linksOf('[[Q3 Plan#Budget]] [[Other#^block|x]]')).toEqual([
      { targetSlug: 'q3-plan', label: null, kind: 'wiki' },
      { targetSlug: 'other', label: 'x', kind: 'wiki' },
    ]);
  });

  it('keeps folders in the target and strips a .md extension', () => {
    expect(linksOf('[[Projects/Q3 Plan.md]]')).toEqual([{ targetSlug: 'projects/q3-plan', label: null, kind: 'wiki' }]);
  });

  it('reads a link escaped for a table cell, [[target\\|label]]', () => {
    expect(linksOf('| [[Q3 Plan\\|plan]] |')).toEqual([{ targetSlug: 'q3-plan', label: 'plan', kind: 'wiki' }]);
  });

  it('ignores a link to a heading of the same page', () => {
    expect(linksOf('[[#Heading]]')).toEqual([]);
  });

  it('finds links in headings and list items', () => {
    expect(linksOf('# About [[A]]\n- item [[B]]').map((link) => link.targetSlug)).toEqual(['a', 'b']);
  });
});

describe('markdown links', () => {
  it('resolves a relative link against the directory of the page', () => {
    expect(linksOf('[other](other.md)', 'notes/daily/page.md')).toEqual([
      { targetSlug: 'notes/daily/other', label: 'other', kind: 'markdown' },
    ]);
  });

  it('resolves .. segments and drops the fragment', () => {
    expect(linksOf('[x](../Projects/Q3 Plan.markdown#budget)', 'notes/page.md')).toEqual([]);
    expect(linksOf('[x](<../Projects/Q3 Plan.markdown#budget>)', 'notes/page.md')).toEqual([
      { targetSlug: 'projects/q3-plan', label: 'x', kind: 'markdown' },
    ]);
    expect(linksOf('[x](./a/../b/./c.md)', 'notes/page.md')[0].targetSlug).toBe('notes/b/c');
  });

  it('URL-decodes the path', () => {
    expect(linksOf('[plan](../Projects/Q3%20Plan.md)', 'notes/page.md')[0].targetSlug).toBe('projects/q3-plan');
    expect(linksOf('[odd](100%.md)', 'page.md')[0].targetSlug).toBe('100');
  });

  it('drops a link that climbs above the source root', () => {
    expect(linksOf('[x](../../outside.md)', 'notes/page.md')).toEqual([]);
  });

  it('takes a path starting with / from the source root', () => {
    expect(linksOf('[x](/Projects/Plan.md)', 'notes/deep/page.md')[0].targetSlug).toBe('projects/plan');
  });

  it('ignores URLs, mailto, non-markdown files, images and fragment-only links', () => {
    const body = [
      '[web](https://example.com/a.md)',
      '[plain](http://example.com)',
      '[mail](mailto:a@b.c)',
      '[proto](//cdn.example.com/x.md)',
      '[pdf](files/doc.pdf)',
      '![img](pic.png) ![md image](note.md)',
      '[here](#section)',
    ].join('\n');
    expect(linksOf(body)).toEqual([]);
  });

  it('accepts a title after the destination', () => {
    expect(linksOf('[a](b.md "Title") [c](d.md \'t\')', 'page.md').map((link) => link.targetSlug)).toEqual(['b', 'd']);
  });

  it('uses null as the label when the link text is blank', () => {
    expect(linksOf('[ ](b.md)', 'page.md')).toEqual([{ targetSlug: 'b', label: null, kind: 'markdown' }]);
  });
});

describe('links in code and duplicates', () => {
  it('ignores links inside fenced code blocks', () => {
    const body = '```\n[[Fenced]] [x](fenced.md)\n```\n~~~\n[[Tilde]]\n~~~\n[[Real]]';
    expect(linksOf(body).map((link) => link.targetSlug)).toEqual(['real']);
  });

  it('ignores links inside inline code, including double-backtick spans', () => {
    const body = 'Use `[[Not A Link]]` or ``[x](`code`.md)`` but [[Yes]]';
    expect(linksOf(body).map((link) => link.targetSlug)).toEqual(['yes']);
  });

  it('ignores links in an inline code span that continues onto the next line', () => {
    expect(linksOf('start `code\n[[Hidden]] end` [[Shown]]').map((link) => link.targetSlug)).toEqual(['shown']);
  });

  it('treats an unmatched backtick as text', () => {
    expect(linksOf('a ` b [[Seen]]').map((link) => link.targetSlug)).toEqual(['seen']);
  });

  it('keeps one link per target and kind, with the first label', () => {
    const links = linksOf('[[A|first]] [[a|second]] [[A]] [A](../a.md) [again](../a.md)');
    expect(links).toEqual([
      { targetSlug: 'a', label: 'first', kind: 'wiki' },
      { targetSlug: 'a', label: 'A', kind: 'markdown' },
    ]);
  });

  it('returns links in document order', () => {
    expect(linksOf('[b](b.md) [[A]] [c](c.md)', 'x.md').map((link) => link.targetSlug)).toEqual(['b', 'a', 'c']);
  });
});
