// oauth_get_jwks: the real oidc-provider with a weak RSA-1024 key added to its key set, and a deviating
// server whose JWKS has every kind of bad key.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { type DeviatingServer, startDeviatingServer } from './deviating-server.js';
import { rsaKey } from './keys.js';

const as = useAuthorizationServer({ extraKeys: [rsaKey('weak-1024', 1024).jwk] });
let deviating: DeviatingServer;
let server: InProcessServer;

beforeAll(async () => {
  deviating = await startDeviatingServer();
  server = await startInProcess({
    providers: { demo: { issuer: as.issuer }, deviating: { issuer: deviating.issuer } },
    defaultProvider: 'demo',
  });
});
afterAll(async () => {
  await server.close();
  await deviating.close();
});

async function jwks(args: Record<string, unknown>) {
  const result = await server.call('oauth_get_jwks', args);
  if (result.isError) throw new Error(JSON.stringify(result.structuredContent));
  return result.structuredContent as Record<string, any>;
}

describe('oauth_get_jwks', () => {
  it("lists the provider's keys and warns only about the weak RSA key", async () => {
    const report = await jwks({});
    expect(report).toMatchObject({ issuer: as.issuer, provider: 'demo', jwks_uri: `${as.issuer}/jwks` });
    const byKid = Object.fromEntries(report.keys.map((k: { kid: string }) => [k.kid, k]));
    const [rsa, ec] = report.keys;
    expect(rsa).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', size_bits: 2048, warnings: [] });
    expect(rsa.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ec).toMatchObject({ kty: 'EC', alg: 'ES256', curve: 'P-256', warnings: [] });
    expect(byKid['weak-1024']).toMatchObject({ size_bits: 1024 });
    expect(byKid['weak-1024'].warnings).toEqual([
      expect.stringMatching(/RSA 1024 bits: RFC 7518 3.3 requires at least 2048/),
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('warns about symmetric, private, duplicate and unnamed keys, alg none in metadata, and shows certificate expiry', async () => {
    const report = await jwks({ provider: 'deviating' });
    const byKid = Object.fromEntries(
      report.keys.filter((k: { kid?: string }) => k.kid).map((k: { kid: string }) => [k.kid, k]),
    );
    expect(byKid['with-cert'].certificate).toMatchObject({ subject: 'CN=signing.test', expired: false });
    expect(byKid['with-cert'].certificate.expiry_in_words).toMatch(/^expires in (9|10) days$/);
    expect(byKid['with-cert'].warnings).toEqual([
      expect.stringMatching(/certificate expires in .* days; renew it/),
    ]);
    expect(byKid.weak.warnings[0]).toMatch(/RSA 1024 bits/);
    expect(byKid.hmac.warnings.join(' ')).toMatch(/symmetric \(oct\) key published/);
    expect(byKid.hmac).not.toHaveProperty('k');
    expect(byKid.leaky.warnings.join(' ')).toMatch(/includes private key material/);
    expect(JSON.stringify(report)).not.toMatch(/"(k|d|p|q)":/);
    const unnamed = report.keys.find((k: { kid?: string }) => !k.kid);
    expect(unnamed.warnings[0]).toMatch(/has no kid/);
    expect(report.warnings).toEqual([
      expect.stringMatching(/kid "dup" is used by 2 keys/),
      expect.stringMatching(/advertises alg "none" in id_token_signing_alg_values_supported/),
    ]);
  });
});
