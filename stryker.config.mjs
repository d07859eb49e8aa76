// Mutation testing of the security modules (npm run mutate; not part of npm test): Stryker changes the code
// one small way at a time and the tests must notice. While working on one module, run only it:
//   npx stryker run --mutate src/store/sealing.ts
// Each mutant runs only the tests that cover it (perTest coverage) among vitest.mutate.config.ts's files.

import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The sandboxes live outside the worktree, so lint and editors never see a second copy of the project.
  tempDirName: join(tmpdir(), 'oauth-mcp-stryker'),
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // No tsconfig to rewrite in the sandbox (vitest transpiles on its own; our paths are relative), and
  // Stryker's rewriter calls a TypeScript 5 API that TypeScript 7 no longer has: name a file that is not there.
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  mutate: [
    'src/net/*.ts',
    'src/secrets/*.ts',
    'src/store/sealing.ts',
    'src/store/file-store-codec.ts',
    'src/store/redis-store-codec.ts',
    'src/auth/tokens/access-token.ts',
    'src/auth/repository/vault.ts',
    'src/auth/sign-in/initiator-binding.ts',
    'src/auth/sign-in/loopback-redirect.ts',
  ],
  // Two cores on the CI machine; more only oversubscribes them.
  concurrency: 2,
  timeoutMS: 15_000,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test-results/mutation/index.html' },
  jsonReporter: { fileName: 'test-results/mutation/report.json' },
  ignorePatterns: ['dist', 'bench', 'test-results', '.ci/node22', '.ci/node24', 'coverage'],
};
