import { describe, expect, it } from 'vitest';
import { MAX_CHUNKS_PER_PAGE, MAX_LINKS_PER_PAGE, parsePage } from '../../../src/markdown/parsePage.js';
import { parse } from './parseOk.js';

const RETRY = /The file was skipped and recorded; .+ and the next sync retries it\.$/;

describe('parsePage failures', () => {
  it('reports a file containing a NUL byte as binary, with the offset', () => {
    const result = parsePage('img.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    expect(result).toMatchObject({ ok: false, code: 'binary' });
    if (!result.ok) {
      expect(result.message).toContain('NUL byte at byte offset 4');
      expect(result.message).toMatch(RETRY);
    }
  });

  it('refuses a file that would make more chunks or links than a page may have, and takes one at the limit', () => {
    const headings = (n: number) => Buffer.from('#\n'.repeat(n));
    expect(parsePage('flat.md', headings(1_500_000))).toMatchObject({ ok: false, code: 'too_many_chunks' });
    const many = parsePage('flat.md', headings(MAX_CHUNKS_PER_PAGE + 1));
    expect(many).toMatchObject({ ok: false, code: 'too_many_chunks' });
    if (!many.ok) expect(many.message).toMatch(/more than 20,000 chunks.*split it into several notes and the next sync retries it\.$/);
    const atLimit = parsePage('flat.md', headings(MAX_CHUNKS_PER_PAGE));
    expect(atLimit.ok && atLimit.page.chunks.length).toBe(MAX_CHUNKS_PER_PAGE);

    const links = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `[[n${i}]]`).join(' '));
    const linked = parsePage('links.md', links(MAX_LINKS_PER_PAGE + 1));
    expect(linked).toMatchObject({ ok: false, code: 'too_many_links' });
    if (!linked.ok) expect(linked.message).toMatch(/20,001 distinct links, more than 20,000.*split it/);
    const fine = parsePage('links.md', links(MAX_LINKS_PER_PAGE));
    expect(fine.ok && fine.page.links.length).toBe(MAX_LINKS_PER_PAGE);
  });

  it('reports UTF-16 text as binary, because its ASCII characters carry NUL bytes', () => {
    const result = parsePage('utf16.md', Buffer.from('\ufeff# Hi', 'utf16le'));
    expect(result).toMatchObject({ ok: false, code: 'binary' });
  });

  it('reports bytes that are not UTF-8 as invalid_utf8, with line and offset', () => {
    const latin1 = Buffer.from('# Title\ncaf\u00e9\n', 'latin1');
    const result = parsePage('latin1.md', latin1);
    expect(result).toMatchObject({ ok: false, code: 'invalid_utf8' });
    if (!result.ok) {
      expect(result.message).toContain('at line 2 (byte offset 11)');
      expect(result.message).toMatch(/re-save it as UTF-8 and the next sync retries it\.$/);
    }
  });

  it('rejects overlong encodings and encoded surrogates as invalid_utf8', () => {
    expect(parsePage('a.md', Buffer.from([0x61, 0xc0, 0xaf]))).toMatchObject({ code: 'invalid_utf8' });
    expect(parsePage('a.md', Buffer.from([0xed, 0xa0, 0x80]))).toMatchObject({ code: 'invalid_utf8' });
    expect(parsePage('a.md', Buffer.from([0x61, 0xe2, 0x82]))).toMatchObject({ code: 'invalid_utf8' });
  });

  it('parses a valid file normally right after refusing an invalid one', () => {
    expect(parsePage('bad.md', Buffer.from([0xff]))).toMatchObject({ ok: false });
    expect(parsePage('good.md', Buffer.from('# Good\n'))).toMatchObject({ ok: true, page: { title: 'Good' } });
  });

  it('reports invalid YAML with the file line of the error and what to do', () => {
    const result = parse('notes/a.md', '---\ntitle: ok\ntags: [a, b\n---\nbody\n');
    expect(result).toMatchObject({ ok: false, code: 'invalid_yaml' });
    if (!result.ok) {
      expect(result.message).toMatch(/^invalid frontmatter YAML at line 3: /);
      expect(result.message).toMatch(/fix it and the next sync retries it\.$/);
      expect(result.message).toMatch(RETRY);
    }
  });

  it('counts the line of a YAML error from the top of the file, CRLF or not', () => {
    const text = '---\r\na: 1\r\nb: 2\r\nc: d: e\r\n---\r\n';
    const result = parse('a.md', text);
    expect(result).toMatchObject({ ok: false, code: 'invalid_yaml' });
    if (!result.ok) expect(result.message).toMatch(/^invalid frontmatter YAML at line 4: /);
  });

  it('reports duplicate frontmatter keys as invalid YAML', () => {
    const result = parse('a.md', '---\ntitle: a\ntitle: b\n---\n');
    expect(result).toMatchObject({ ok: false, code: 'invalid_yaml' });
    if (!result.ok) expect(result.message).toContain('at line 3');
  });

  it('reports frontmatter that is a list as invalid_frontmatter', () => {
    const result = parse('a.md', '---\n- a\n- b\n---\nbody');
    expect(result).toMatchObject({ ok: false, code: 'invalid_frontmatter' });
    if (!result.ok) {
      expect(result.message).toBe(
        'invalid frontmatter at line 2: expected a mapping of keys to values, found a list. ' +
          'The file was skipped and recorded; fix it and the next sync retries it.',
      );
    }
  });

  it('reports frontmatter that is a single scalar as invalid_frontmatter', () => {
    const result = parse('a.md', '---\nJust a sentence.\n---\nbody');
    expect(result).toMatchObject({ ok: false, code: 'invalid_frontmatter' });
    if (!result.ok) expect(result.message).toContain('found a single value (a string)');
  });

  it('reports an alias bomb as invalid YAML instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    }
    const result = parse('bomb.md', `---\n${lines.join('\n')}\n---\n`);
    expect(result).toMatchObject({ ok: false, code: 'invalid_yaml' });
  });

  it('refuses a leading --- that is never closed, saying to add the closing line', () => {
    for (const text of ['---\ntitle: Forgot to close\ntags: [a]\n\n# Body\n', '---\n', '---\r\nx: 1']) {
      const result = parse('a.md', text);
      expect(result).toMatchObject({ ok: false, code: 'unterminated_frontmatter' });
      if (!result.ok) {
        expect(result.message).toMatch(/^frontmatter is not closed: /);
        expect(result.message).toMatch(/add the closing `---` line .* and the next sync retries it\.$/);
      }
    }
  });

  it.each([
    ['title: "bad\\0title"', '"title" contains a NUL character (\\0)'],
    ["title: ok\ntags: [a, \"b\\0\"]", '"tags[1]" contains a NUL character'],
    ['meta:\n  who:\n    - x\n    - "y\\x00"', '"meta.who[1]" contains a NUL character'],
    ['"a\\0b": 1', 'the key "a\\u0000b" contains a NUL character'],
    ['meta: {"k\\0": 1}', 'the key "k\\u0000" in "meta" contains a NUL character'],
    ['title: "\\uD800"', '"title" contains an unpaired UTF-16 surrogate'],
    ['note: "tail \\uDC00 x"', '"note" contains an unpaired UTF-16 surrogate'],
    ['"\\uDBFF": x', 'the key "\\udbff" contains an unpaired UTF-16 surrogate'],
  ])('refuses frontmatter the database cannot store: %s', (yaml, said) => {
    const result = parse('a.md', `---\n${yaml}\n---\nbody\n`);
    expect(result).toMatchObject({ ok: false, code: 'invalid_frontmatter' });
    if (!result.ok) {
      expect(result.message).toContain(`invalid frontmatter: ${said}`);
      expect(result.message).toMatch(RETRY);
      // The message is stored too, so it must itself be storable.
      expect(result.message).not.toMatch(/\0|\p{Cs}/u);
    }
  });

  it('keeps a well-formed surrogate pair written as two escapes', () => {
    expect(parse('a.md', '---\ntitle: "\\uD83D\\uDE80 launch"\n---\n')).toMatchObject({ ok: true, page: { title: '\u{1F680} launch' } });
  });

  it.each([
    ['a flow list', (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}`],
    ['block mappings', (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' x'],
    ['block lists', (n: number) => 'a:\n' + Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i)}- `).join('\n') + 'x'],
    ['compact block lists', (n: number) => `a:\n${'- '.repeat(n)}x`],
  ])('refuses %s nested too deeply with a plain message, at any depth', (_kind, yaml) => {
    for (const depth of [101, 5000]) {
      const result = parse('deep.md', `---\n${yaml(depth)}\n---\nbody\n`);
      expect(result).toMatchObject({ ok: false, code: 'invalid_frontmatter' });
      if (!result.ok) expect(result.message).toMatch(/^invalid frontmatter: it is nested too deeply \(more than 100 levels\)\./);
    }
    expect(parse('ok.md', `---\n${yaml(60)}\n---\nbody\n`)).toMatchObject({ ok: true });
  });

  it('throws on a maxChunkChars that is not a positive integer, a caller mistake', () => {
    expect(() => parsePage('a.md', Buffer.from('x'), { maxChunkChars: 0 })).toThrow(RangeError);
    expect(() => parsePage('a.md', Buffer.from('x'), { maxChunkChars: 1.5 })).toThrow(RangeError);
  });
});
