import { describe, expect, it } from 'vitest';
import { stripInlineCode } from '../../../src/markdown/stripInlineCode.js';

describe('stripInlineCode', () => {
  it('blanks a code span with spaces, keeping the text length', () => {
    expect(stripInlineCode('a `[[x]]` b')).toBe('a         b');
  });

  it('closes a span only with a run of the same length', () => {
    expect(stripInlineCode('x ``a ` b`` y')).toBe('x           y');
    expect(stripInlineCode('x ``a` y')).toBe('x ``a` y');
  });

  it('leaves an unclosed run as text and still finds later spans', () => {
    expect(stripInlineCode('``` a `b` c')).toBe('``` a     c');
  });

  it('returns text without backticks unchanged', () => {
    const text = 'plain [[link]]';
    expect(stripInlineCode(text)).toBe(text);
  });

  it('handles a paragraph of many unmatched runs of different lengths', () => {
    const text = Array.from({ length: 1000 }, (_, i) => '`'.repeat(i + 1)).join(' [[x]] ');
    expect(stripInlineCode(text)).toBe(text);
  });
});
