import { describe, expect, it, vi } from 'vitest';
import { binaryTextArray } from '../../src/db/binaryTextArray.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';

// Counted, so that a PGLite that stopped honouring per-query serializers (every value would
// then still arrive, through its own slower literal) fails here instead of silently.
vi.mock('../../src/db/binaryTextArray.js', async (original) => {
  const real = await original<typeof import('../../src/db/binaryTextArray.js')>();
  return { ...real, binaryTextArray: vi.fn(real.binaryTextArray) };
});

/** Strings an array literal must quote or escape, and ones whose UTF-8 length differs from their JS length. */
const awkward = [
  '', 'NULL', 'null', ' lead and trail ', 'a,b', '{braces}', '"quoted"', 'back\\slash', "it's",
  'tab\there', 'line\nbreak', 'é', '😀 astral', '日本語のノート', 'x'.repeat(70_000),
];

describe('text[] parameters', () => {
  it.each(backends())('come back element for element on %s, nulls and order kept', async (backend) => {
    const db = await openTestDb(await freshBrain(backend));
    try {
      const values = [...awkward, null, 'after a null'];
      vi.mocked(binaryTextArray).mockClear();
      const res = await db.query<{ v: string | null; n: number }>(
        'select v, n::int from unnest($1::text[]) with ordinality as u(v, n) order by n',
        [values],
      );
      expect(res.rows.map((r) => r.v)).toEqual(values);
      // PGLite is handed the binary format; node-postgres serializes arrays itself.
      expect(vi.mocked(binaryTextArray).mock.calls.length > 0).toBe(backend === 'pglite');
      // The same inside a transaction, and an empty array.
      const inTx = await db.transaction(async (tx) => {
        const a = await tx.query<{ n: number }>('select cardinality($1::text[])::int as n', [awkward]);
        const b = await tx.query<{ n: number | null }>('select cardinality($1::text[])::int as n', [[]]);
        return [a.rows[0].n, b.rows[0].n];
      });
      expect(inTx).toEqual([awkward.length, 0]);
    } finally {
      await db.close();
    }
  });

  it.each(backends())('that are not flat string arrays still go through the usual serializer on %s', async (backend) => {
    const db = await openTestDb(await freshBrain(backend));
    try {
      const numbers = await db.query<{ v: string[] }>('select $1::text[] as v', [[1, 2.5]]);
      expect(numbers.rows[0].v).toEqual(['1', '2.5']);
      const literal = await db.query<{ v: string[] }>('select $1::text[] as v', ['{a,"b c"}']);
      expect(literal.rows[0].v).toEqual(['a', 'b c']);
    } finally {
      await db.close();
    }
  });
});
