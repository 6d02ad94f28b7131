import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { parseOk } from './parseOk.js';

describe('parsePage frontmatter and text normalisation', () => {
  it('reads frontmatter and returns the text after it as the body', () => {
    const page = parseOk('a.md', '---\ntitle: Hello\ntype: meeting\n---\n# Body\ntext\n');
    expect(page.frontmatter).toEqual({ title: 'Hello', type: 'meeting' });
    expect(page.body).toBe('# Body\ntext\n');
    expect(page.title).toBe('Hello');
    expect(page.type).toBe('meeting');
  });

  it('accepts `...` as the closing line of the frontmatter', () => {
    const page = parseOk('a.md', '---\ntitle: Dots\n...\nbody');
    expect(page.title).toBe('Dots');
    expect(page.body).toBe('body');
  });

  it('treats an empty frontmatter block as an empty mapping', () => {
    expect(parseOk('a.md', '---\n---\nbody').frontmatter).toEqual({});
    expect(parseOk('a.md', '---\n# only a comment\n---\nbody').frontmatter).toEqual({});
  });

  it('treats a file without frontmatter as all body', () => {
    const page = parseOk('a.md', '# Title\n\ntext\n');
    expect(page.frontmatter).toEqual({});
    expect(page.body).toBe('# Title\n\ntext\n');
    expect(page.type).toBeNull();
    expect(page.tags).toEqual([]);
  });

  it('treats a --- after an empty first line as a thematic break, not frontmatter', () => {
    const page = parseOk('a.md', '\n---\nNo closing line here.\n');
    expect(page.frontmatter).toEqual({});
    expect(page.body).toBe('\n---\nNo closing line here.\n');
  });

  it('strips a leading BOM before looking for frontmatter', () => {
    const page = parseOk('a.md', '\ufeff---\ntitle: With BOM\n---\nbody\n');
    expect(page.title).toBe('With BOM');
    expect(page.body).toBe('body\n');
  });

  it('normalises CRLF line endings to LF everywhere', () => {
    const page = parseOk('a.md', '---\r\ntitle: Win\r\ntags:\r\n  - a\r\n---\r\n# Head\r\n\r\ntext\r\n');
    expect(page.title).toBe('Win');
    expect(page.tags).toEqual(['a']);
    expect(page.body).toBe('# Head\n\ntext\n');
    expect(page.chunks.map((chunk) => chunk.text)).toEqual(['# Head\n\ntext']);
  });

  it('hashes the normalised text, so CRLF and LF copies of a note have the same hash', () => {
    const lf = '---\ntitle: T\n---\nbody\n';
    const page = parseOk('a.md', lf);
    expect(page.contentHash).toBe(createHash('sha256').update(lf).digest('hex'));
    expect(parseOk('a.md', '\ufeff' + lf.replace(/\n/g, '\r\n')).contentHash).toBe(page.contentHash);
    expect(parseOk('a.md', lf + 'more').contentHash).not.toBe(page.contentHash);
  });

  it('turns a title that YAML read as a date into YYYY-MM-DD', () => {
    const page = parseOk('a.md', '---\ntitle: 2024-06-01\n---\n');
    expect(page.title).toBe('2024-06-01');
    expect(page.frontmatter.title).toBe('2024-06-01');
  });

  it('turns a title that YAML read as a number into its string', () => {
    expect(parseOk('a.md', '---\ntitle: 1984\n---\n').title).toBe('1984');
    expect(parseOk('a.md', '---\ntitle: 3.5\n---\n').title).toBe('3.5');
  });

  it('turns dates anywhere in the frontmatter into ISO strings', () => {
    const page = parseOk('a.md', '---\ncreated: 2024-06-01T10:30:00Z\nmeta:\n  due: [2024-07-01]\n---\n');
    expect(page.frontmatter).toEqual({ created: '2024-06-01T10:30:00.000Z', meta: { due: ['2024-07-01'] } });
  });

  it('keeps a date that does not exist as the text written, through either parser', () => {
    const values = 'a: 2024-13-45\nb: 2024-02-30\nc: 2024-01-01T25:00:00Z\nd: 2023-02-29\ne: 2024-06-01 10:60:00\nf: 2024-06-01 10:00:00 +05:61\n';
    const invalid = { a: '2024-13-45', b: '2024-02-30', c: '2024-01-01T25:00:00Z', d: '2023-02-29', e: '2024-06-01 10:60:00', f: '2024-06-01 10:00:00 +05:61' };
    // The fast path (one-line values) and the full parser (an anchor sends the file there).
    expect(parseOk('a.md', `---\n${values}---\n`).frontmatter).toEqual(invalid);
    expect(parseOk('a.md', `---\n${values}g: &x 1\n---\n`).frontmatter).toEqual({ ...invalid, g: 1 });
    const valid = 'a: 2024-02-29\nb: 2024-06-01 10:00:00 +05:30\nc: 2024-06-01t10:00:00.5-3\nd: 0099-01-01\n';
    const dates = { a: '2024-02-29', b: '2024-06-01T04:30:00.000Z', c: '2024-06-01T13:00:00.500Z', d: '0099-01-01' };
    expect(parseOk('a.md', `---\n${valid}---\n`).frontmatter).toEqual(dates);
    expect(parseOk('a.md', `---\n${valid}g: &x 1\n---\n`).frontmatter).toEqual({ ...dates, g: 1 });
  });

  it('keeps frontmatter JSON-safe', () => {
    const page = parseOk('a.md', '---\nbig: .inf\nnan: .nan\nnothing: ~\nbin: !!binary aGk=\nself: &s [1, *s]\n---\n');
    expect(page.frontmatter).toEqual({ big: null, nan: null, nothing: null, bin: 'aGk=', self: [1, null] });
    expect(JSON.parse(JSON.stringify(page.frontmatter))).toEqual(page.frontmatter);
  });

  it('reads YAML 1.2 core scalars: yes stays a string and 010 is ten', () => {
    const page = parseOk('a.md', '---\ndraft: yes\ncount: 010\nflag: true\n---\n');
    expect(page.frontmatter).toEqual({ draft: 'yes', count: 10, flag: true });
  });

  it('keeps a __proto__ key as ordinary data', () => {
    const page = parseOk('a.md', '---\n__proto__:\n  polluted: true\n---\n');
    expect(Object.keys(page.frontmatter)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(page.frontmatter)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads tags from a list, coercing entries to trimmed strings and dropping empty ones', () => {
    const page = parseOk('a.md', '---\ntags: [work, 2024, " spaced ", "", true]\n---\n');
    expect(page.tags).toEqual(['work', '2024', 'spaced', 'true']);
  });

  it('reads tags from a comma or space separated string', () => {
    expect(parseOk('a.md', '---\ntags: "a, b  c,,d"\n---\n').tags).toEqual(['a', 'b', 'c', 'd']);
    expect(parseOk('a.md', '---\ntags: solo\n---\n').tags).toEqual(['solo']);
  });

  it('removes duplicate tags, keeping the first occurrence', () => {
    expect(parseOk('a.md', '---\ntags: [b, a, b, a]\n---\n').tags).toEqual(['b', 'a']);
  });

  it('ignores tags of an unusable shape instead of failing', () => {
    expect(parseOk('a.md', '---\ntags: {a: 1}\n---\n').tags).toEqual([]);
    expect(parseOk('a.md', '---\ntags:\n---\n').tags).toEqual([]);
  });

  it('coerces type to a string, or null when missing, blank or a collection', () => {
    expect(parseOk('a.md', '---\ntype: 42\n---\n').type).toBe('42');
    expect(parseOk('a.md', '---\ntype: "  "\n---\n').type).toBeNull();
    expect(parseOk('a.md', '---\ntype: [a]\n---\n').type).toBeNull();
  });
});

describe('parsePage title', () => {
  it('prefers the frontmatter title, trimmed', () => {
    expect(parseOk('a.md', '---\ntitle: "  Front  "\n---\n# Heading\n').title).toBe('Front');
  });

  it('falls back to the first H1 when the frontmatter title is blank or missing', () => {
    expect(parseOk('a.md', '---\ntitle: "  "\n---\n## Sub\n# Heading One #\n').title).toBe('Heading One');
    expect(parseOk('a.md', 'intro\n\n# First\n\n# Second\n').title).toBe('First');
  });

  it('ignores an H1 inside a code fence', () => {
    expect(parseOk('a.md', '```sh\n# not a title\n```\n# Real\n').title).toBe('Real');
  });

  it('falls back to the file name without extension', () => {
    expect(parseOk('Projects/Q3 Plan.md', 'no headings\n').title).toBe('Q3 Plan');
    expect(parseOk('notes/v1.2 Release.MARKDOWN', '').title).toBe('v1.2 Release');
  });

  it('does not treat #tag or a 7-level heading as an H1', () => {
    expect(parseOk('x.md', '#tag\n####### seven\n').title).toBe('x');
  });
});
