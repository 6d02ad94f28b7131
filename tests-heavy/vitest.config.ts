import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'heavy',
    include: ['tests-heavy/**/*.test.ts'],
    // A real Postgres (or BRAINSYNC_TEST_PG_URL) and the migrated PGLite template.
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 120 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
