import { describe, expect, it } from 'vitest';
import { paramBytes } from '../../../src/db/pgliteDb.js';

// What a PGLite statement counts towards its deliberate checkpoint every 32 MB: a batch of
// vectors travels as one Float32Array, and a first embed must still checkpoint as it goes.
describe('the bytes a PGLite statement is counted as writing', () => {
  it('counts strings, arrays of strings and typed arrays (vectors), and nothing else', () => {
    expect(paramBytes(undefined)).toBe(0);
    expect(paramBytes([1, null, true, 'abcd', ['ab', null, 'c']])).toBe(7);
    expect(paramBytes([7, ['h1', 'h2'], new Float32Array(500 * 100), 100])).toBe(4 + 500 * 100 * 4);
  });
});
