// The tests mutation testing runs (npm run mutate): the in-process tests of the security modules, not the
// end-to-end ones that spawn dist/cli.js (a mutant lives in the instrumented sources, not in dist).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/security/outbound-policy.test.ts',
      'test/security/outbound-loopback-names.test.ts',
      'test/security/outbound-api-origins.test.ts',
      'test/security/misc-loopback-path.test.ts',
      'test/security/secrets-base64url.test.ts',
      'test/unit/secret-registry.test.ts',
      'test/unit/log.test.ts',
      'test/store/sealing.test.ts',
      'test/store/file-store.test.ts',
      'test/store/redis-store.test.ts',
      'test/store/vault.test.ts',
      'test/sessions/principal-isolation.test.ts',
      'test/http/token-verifier.test.ts',
      'test/tokens/access-token-introspection.test.ts',
      'test/sign-in/refused-callbacks.test.ts',
      'test/sign-in/http-callback.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
