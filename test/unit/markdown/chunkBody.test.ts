import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseOk } from './parseOk.js';

const chunksOf = (body: string, maxChunkChars?: number) => parseOk('a.md', body, maxChunkChars).chunks;
const texts = (body: string, maxChunkChars?: number) => chunksOf(body, maxChunkChars).map((chunk) => chunk.text);
const paths = (body: string, maxChunkChars?: number) => chunksOf(body, maxChunkChars).map((chunk) => chunk.headingPath);

describe('chunking by heading', () => {
  it('starts a chunk at each heading and keeps the heading line in it', () => {
    expect(texts('intro\n\n# A\na text\n\n## B\nb text\n')).toEqual(['intro', '# A\na text', '## B\nb text']);
  });

  it('gives each chunk the chain of enclosing headings, empty before the first one', () => {
    const body = 'intro\n# A\na\n## B\nb\n### C\nc\n## D\nd\n# E\ne\n';
    expect(paths(body)).toEqual(['', 'A', 'A > B', 'A > B > C', 'A > D', 'E']);
  });

  it('pops back correctly when heading levels skip', () => {
    expect(paths('# A\na\n### C\nc\n## B\nb\n')).toEqual(['A', 'A > C', 'A > B']);
  });

  it('drops closing hashes from heading text', () => {
    expect(paths('# A ##\na\n## B#\nb\n')).toEqual(['A', 'A > B#']);
  });

  it('folds a heading with nothing under it into its first subsection', () => {
    const chunks = chunksOf('# Title\n\n## Intro\ntext\n## Next\nmore\n');
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      ['Title > Intro', '# Title\n\n## Intro\ntext'],
      ['Title > Next', '## Next\nmore'],
    ]);
  });

  it('keeps a heading with nothing under it as its own chunk when the next heading is not deeper', () => {
    expect(texts('## Empty\n## Full\ntext\n')).toEqual(['## Empty', '## Full\ntext']);
  });

  it('numbers chunks from 0 and hashes their text with sha256', () => {
    const chunks = chunksOf('# A\na\n# B\nb\n');
    expect(chunks.map((chunk) => chunk.ordinal)).toEqual([0, 1]);
    for (const chunk of chunks) {
      expect(chunk.hash).toBe(createHash('sha256').update(chunk.text).digest('hex'));
    }
  });

  it('drops whitespace-only chunks and trims blank lines around chunks', () => {
    expect(texts('\n\n   \n# A\n\n\na\n\n\n')).toEqual(['# A\n\n\na']);
    expect(chunksOf('   \n\n')).toEqual([]);
    expect(chunksOf('')).toEqual([]);
  });

  it('does not split at a heading inside a ``` fence', () => {
    const body = '# A\n```python\n# comment, not a heading\nx = 1\n```\n# B\n';
    expect(paths(body)).toEqual(['A', 'B']);
    expect(texts(body)[0]).toContain('# comment, not a heading');
  });

  it('does not split at a heading inside a ~~~ fence that contains ``` lines', () => {
    const body = '# A\n~~~markdown\n```\n# inside\n```\n~~~\n# B\nb\n';
    expect(paths(body)).toEqual(['A', 'B']);
    expect(texts(body)[0]).toBe('# A\n~~~markdown\n```\n# inside\n```\n~~~');
  });

  it('closes a fence only with at least as many of the same character', () => {
    const body = '# A\n````\n```\n# still code\n````\n# B\n';
    expect(paths(body)).toEqual(['A', 'B']);
  });

  it('treats an unclosed fence as code to the end of the body', () => {
    expect(paths('# A\n```\n# not a heading\n')).toEqual(['A']);
  });

  it('does not treat ``` with backticks in its info string as a fence', () => {
    expect(paths('# A\n```inline``` text\n# B\nb\n')).toEqual(['A', 'B']);
  });

  it('does not treat a line indented four spaces as a heading', () => {
    expect(paths('# A\n    # indented code\n')).toEqual(['A']);
  });
});

describe('chunking long sections', () => {
  const paragraph = (label: string, length: number) => (label + ' ').repeat(length).slice(0, length).trimEnd();

  it('keeps a section within the limit in one chunk', () => {
    const body = `# A\n\n${paragraph('x', 40)}\n\n${paragraph('y', 40)}\n`;
    expect(texts(body, 100)).toHaveLength(1);
  });

  it('splits a long section at blank lines, packing paragraphs up to the limit', () => {
    const p1 = paragraph('one', 45);
    const p2 = paragraph('two', 45);
    const p3 = paragraph('three', 45);
    const chunks = chunksOf(`# A\n\n${p1}\n\n${p2}\n\n${p3}\n`, 100);
    expect(chunks.map((chunk) => chunk.text)).toEqual([`# A\n\n${p1}\n\n${p2}`, p3]);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual(['A', 'A']);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(100);
  });

  it('splits a single paragraph that is too long at line boundaries', () => {
    const lines = Array.from({ length: 6 }, (_, i) => paragraph(`line${i}`, 30));
    const chunks = texts(lines.join('\n'), 70);
    expect(chunks).toEqual([lines.slice(0, 2).join('\n'), lines.slice(2, 4).join('\n'), lines.slice(4).join('\n')]);
  });

  it('hard-splits a single line that is longer than the limit', () => {
    const chunks = texts('a'.repeat(250), 100);
    expect(chunks).toEqual(['a'.repeat(100), 'a'.repeat(100), 'a'.repeat(50)]);
  });

  it('never cuts a surrogate pair in half when hard-splitting', () => {
    const chunks = texts('a' + '😀'.repeat(10), 4);
    expect(chunks.join('')).toBe('a' + '😀'.repeat(10));
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const chunk of chunks) expect(chunk).not.toMatch(loneSurrogate);
  });

  it('keeps a fenced code block larger than the limit in one chunk', () => {
    const code = Array.from({ length: 20 }, (_, i) => `line ${i} of code`).join('\n');
    const fence = '```js\n' + code + '\n\n' + code + '\n```';
    const chunks = texts(`# A\nintro text\n\n${fence}\n\nafter\n`, 100);
    expect(chunks).toContain(fence);
    expect(chunks[0]).toBe('# A\nintro text');
    expect(chunks[chunks.length - 1]).toBe('after');
  });

  it('keeps a long fence whole even when it sits inside a paragraph that must be split by lines', () => {
    const code = Array.from({ length: 10 }, (_, i) => `code line ${i}`).join('\n');
    const body = `text before\n~~~\n${code}\n~~~\ntext after`;
    const chunks = texts(body, 60);
    expect(chunks).toEqual(['text before', `~~~\n${code}\n~~~`, 'text after']);
  });

  it('produces the same chunks for the same text every time', () => {
    const body = `# A\n\n${paragraph('p', 500)}\n\n## B\n\n${'word '.repeat(300)}\n`;
    expect(chunksOf(body, 200)).toEqual(chunksOf(body, 200));
  });

  it('uses a limit of 2000 characters by default', () => {
    const long = `${paragraph('a', 1500)}\n\n${paragraph('b', 1500)}`;
    expect(texts(long)).toHaveLength(2);
    expect(texts(`${paragraph('a', 900)}\n\n${paragraph('b', 900)}`)).toHaveLength(1);
  });
});
