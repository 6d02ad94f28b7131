import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'heavy',
    include: ['tests-heavy/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
