import { describe, expect, it } from 'vitest';
import { createColour } from '../../../src/cli/colour.js';

describe('createColour', () => {
  it('wraps text in the ANSI codes of basic colours, and leaves it alone when colour is off', () => {
    const on = createColour(true);
    expect(on.level).toBe(1);
    expect(on.green('ok')).toBe('\x1b[32mok\x1b[39m');
    expect(on.dim('x')).toBe('\x1b[2mx\x1b[22m');
    const off = createColour(false);
    expect(off.level).toBe(0);
    expect(off.red(off.bold('plain'))).toBe('plain');
  });

  it('keeps the outer style after a nested one that closes with the same code', () => {
    const c = createColour(true);
    expect(c.yellow(`a ${c.red('b')} c`)).toBe('\x1b[33ma \x1b[31mb\x1b[39m\x1b[33m c\x1b[39m');
    expect(c.bold(c.yellow('w'))).toBe('\x1b[1m\x1b[33mw\x1b[39m\x1b[22m');
  });
});
