import { defineConfig } from 'vitest/config';

// The fault suite (`npm run test:faults`): authorization-server failures, SIGKILL crash loops and
// fuzzing. Each file starts its own servers; files run one at a time so timing bounds hold on 2 cores.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
