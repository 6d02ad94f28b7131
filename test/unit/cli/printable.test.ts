import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/cli/printable.js';

describe('printable', () => {
  it('shows line breaks and tabs as \\n, \\r and \\t', () => {
    expect(printable('a\nb\r\nc\td.md')).toBe('a\\nb\\r\\nc\\td.md');
  });

  it('shows every other C0 control and DEL as \\xHH, the byte itself', () => {
    expect(printable('esc\x1b[31mred')).toBe('esc\\x1b[31mred');
    expect(printable('\0\x07\x08\x0b\x0c\x1f\x7f')).toBe('\\x00\\x07\\x08\\x0b\\x0c\\x1f\\x7f');
  });

  it('shows C1 controls as \\u00HH, apart from the \\xHH of a byte that is not UTF-8', () => {
    expect(printable('a\u0080b\u0085c\u009bd\u009f')).toBe('a\\u0080b\\u0085c\\u009bd\\u009f');
  });

  it('keeps printable text, non-ASCII letters, emoji and backslashes exactly', () => {
    const kept = 'notes/café 🚀 ünïcödé\u00a0x/a\\xe9 "q" «w».md';
    expect(printable(kept)).toBe(kept);
    expect(printable('')).toBe('');
  });

  it('leaves nothing a terminal acts on', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('');
    expect(printable(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
