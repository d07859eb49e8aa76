// The tests mutation testing runs (npm run mutate): the fast in-process tests of the security modules. Every
// mutant reruns the tests that cover it, so end-to-end tests (which spawn dist/cli.js, where no mutant
// lives) and the slow multi-process ones stay out.
import { defineConfig } from 'vitest/config';

/** All of them, or the comma-separated files of MUTATE_TESTS: one module's own tests make a scoped run fast. */
const only = process.env.MUTATE_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: only ?? [
      'test/security/outbound-policy.test.ts',
      'test/security/outbound-loopback-names.test.ts',
      'test/security/outbound-policy-ranges.test.ts',
      'test/security/misc-loopback-path.test.ts',
      'test/security/secrets-base64url.test.ts',
      'test/unit/secret-registry.test.ts',
      'test/unit/log.test.ts',
      'test/store/sealing.test.ts',
      'test/store/redis-store-codec.test.ts',
      'test/store/redis-store.test.ts',
      'test/store/vault.test.ts',
      'test/http/token-verifier.test.ts',
      'test/tokens/access-token-introspection.test.ts',
      'test/tokens/access-token-checks.test.ts',
      'test/sign-in/http-callback.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
