// oauth_inspect_token against the real oidc-provider: a valid JWT access token it issued, JWTs signed
// with a key it publishes but wrong in one way each, JWTs it never signed, and an opaque token.

import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { signedInSession } from '../helpers/signed-in-session.js';
import { rsaKey, signToken } from './keys.js';

const JWT_API = 'http://127.0.0.1/jwt-api';
const published = rsaKey('test-published');
const as = useAuthorizationServer({
  resourceServers: { [JWT_API]: { scope: 'api:read', accessTokenFormat: 'jwt' } },
  extraKeys: [published.jwk],
});

/** Every token a test hands to the server or has it read from the store; none may appear in any output. */
const tokens: string[] = [];
const outputs: string[] = [];
let server: InProcessServer;
let store: MemoryStore;

async function inspect(args: Record<string, unknown>) {
  if (typeof args.token === 'string') tokens.push(args.token);
  const result = await server.call('oauth_inspect_token', args);
  outputs.push(JSON.stringify(result.content), JSON.stringify(result.structuredContent));
  if (result.isError) throw new Error(JSON.stringify(result.structuredContent));
  return result.structuredContent as Record<string, any>;
}

const failed = (report: Record<string, any>, check: string) =>
  report.checks.find((c: { check: string; status: string }) => c.check === check && c.status === 'fail');

beforeAll(async () => {
  store = new MemoryStore();
  const { clientId, clientSecret } = as().clients.confidential;
  server = await startInProcess(
    {
      providers: {
        demo: {
          issuer: as.issuer,
          clientId,
          clientSecret,
          scopes: ['openid', 'profile', 'offline_access'],
          resource: JWT_API,
        },
      },
      defaultProvider: 'demo',
    },
    { store },
  );
});
afterAll(async () => {
  await server.close();
  await store.close();
});

const valid = () => ({ iss: as.issuer, aud: JWT_API });

describe('the token doctor on JWTs', () => {
  it("says a session's JWT access token issued by the server is valid, naming the key and algorithm", async () => {
    const session = await signedInSession(as(), store, {
      resource: JWT_API,
      scope: 'openid api:read offline_access',
    });
    tokens.push(session.access_token, session.refresh_token ?? '', session.id_token ?? '');
    const report = await inspect({ session_id: session.session_id });
    expect(report).toMatchObject({ verdict: 'valid', format: 'jwt', token_type: 'access_token' });
    expect(report.header.typ).toBe('at+jwt');
    expect(report.signature).toMatchObject({ verified: true, alg: 'RS256' });
    expect(report.signature.kid).toBe(report.header.kid);
    expect(report.reasons.join(' ')).toMatch(/expires in (59|60) minutes/);
    expect(report.checks).toContainEqual(
      expect.objectContaining({ check: 'aud', status: 'pass', message: expect.stringContaining(JWT_API) }),
    );

    const idToken = await inspect({ session_id: session.session_id, token_type: 'id_token' });
    expect(idToken.verdict).toBe('valid');
    expect(idToken.claims.aud).toBe(as().clients.confidential.clientId);
    expect(idToken.claims.nonce).toMatch(/^sha256:[0-9a-f]{16}$/);

    const refresh = await inspect({ session_id: session.session_id, token_type: 'refresh_token' });
    expect(refresh, refresh.reasons.join(' ')).toMatchObject({ format: 'opaque', verdict: 'valid' });
  });

  it('says how long ago an expired token expired', async () => {
    const report = await inspect({ token: await signToken(published, { ...valid(), expiresIn: -190 }) });
    expect(report.verdict).toBe('invalid');
    expect(report.signature.verified).toBe(true);
    expect(report.reasons).toEqual([expect.stringMatching(/^The token expired 3 minutes ago/)]);
  });

  it('says when a not-yet-valid token becomes valid', async () => {
    const report = await inspect({ token: await signToken(published, { ...valid(), notBeforeIn: 600 }) });
    expect(report.verdict).toBe('invalid');
    expect(failed(report, 'nbf').message).toMatch(/not valid yet: not before .* \(in (9|10) minutes\)/);
  });

  it('names the audience the token has and the one the API expects', async () => {
    const report = await inspect({
      token: await signToken(published, { ...valid(), aud: 'https://other.example' }),
    });
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toContain(`The audience is https://other.example, the API expects ${JWT_API}`);
    const explicit = await inspect({
      token: await signToken(published, valid()),
      expected_audience: 'https://billing.example',
    });
    expect(failed(explicit, 'aud').message).toContain('the API expects https://billing.example');
  });

  it('refuses a token from another issuer even when its signature is valid', async () => {
    const report = await inspect({
      token: await signToken(published, { ...valid(), iss: 'https://evil.example' }),
    });
    expect(report.verdict).toBe('invalid');
    expect(report.signature.verified).toBe(true);
    expect(failed(report, 'iss').message).toContain(
      `issuer is https://evil.example, but the provider's issuer is ${as.issuer}`,
    );
  });

  it('detects a signature made with another key under a published kid', async () => {
    const forger = rsaKey('forger');
    const report = await inspect({ token: await signToken(forger, valid(), published.kid) });
    expect(report.verdict).toBe('invalid');
    expect(report.signature).toMatchObject({ verified: false, kid: published.kid });
    expect(failed(report, 'signature').message).toMatch(/signature does not match key "test-published"/);
  });

  it('reports a kid the issuer does not publish', async () => {
    const report = await inspect({ token: await signToken(rsaKey('stranger'), valid()) });
    expect(report.verdict).toBe('invalid');
    expect(failed(report, 'signature').message).toMatch(
      /No key with kid "stranger" \(RS256\) is in the issuer's JWKS/,
    );
  });

  it('warns about a token typed JWT instead of at+jwt and about DPoP binding', async () => {
    const token = await signToken(published, { ...valid(), typ: 'JWT', claims: { cnf: { jkt: 'abc' } } });
    const report = await inspect({ token });
    expect(report.verdict).toBe('valid');
    const warnings = report.checks
      .filter((c: { status: string }) => c.status === 'warn')
      .map((c: { check: string }) => c.check);
    expect(warnings).toEqual(['typ', 'cnf']);
  });
  it('calls a token it cannot verify unverified and says why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: 'api:read' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(as.issuer)
      .setAudience(JWT_API)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'));
    const report = await inspect({ token });
    expect(report.verdict).toBe('unverified');
    expect(report.reasons).toEqual([expect.stringMatching(/signed with a shared secret \(HS256\)/)]);
  });
});

describe('the token doctor on opaque tokens', () => {
  it('introspects an active opaque token and checks its audience', async () => {
    const token = await as().issueAccessToken({
      accountId: 'bob',
      clientId: as().clients.confidential.clientId,
      scope: 'api:read',
      resource: DEMO_RESOURCE,
    });
    const report = await inspect({ token, expected_audience: DEMO_RESOURCE });
    expect(report).toMatchObject({ format: 'opaque', verdict: 'valid' });
    expect(report.introspection).toMatchObject({ active: true, sub: 'bob', aud: DEMO_RESOURCE });
    expect(report.checks.map((c: { check: string }) => c.check)).toEqual([
      'introspection',
      'exp',
      'iss',
      'aud',
    ]);
  });

  it('says the server does not know an opaque token', async () => {
    const report = await inspect({ token: 'not-a-token-this-server-issued-0123456789' });
    expect(report.verdict).toBe('invalid');
    expect(report.reasons[0]).toMatch(/says the token is not active/);
  });
});

describe('secrecy', () => {
  it('an unknown session is a clear error', async () => {
    const result = await server.call('oauth_inspect_token', { session_id: 'ses_nope' });
    expect(toolError(result).code).toBe('not_authenticated');
  });

  it('makes a pasted opaque token a secret of the process: the logger redacts it from then on', async () => {
    const pasted = 'pasted-opaque-token-without-any-recognisable-shape-42';
    await inspect({ token: pasted });
    server.runtime.engine.ctx.logger.info(`a careless line that mentions ${pasted}`);
    expect(server.logs()).toContain('a careless line that mentions [redacted]');
  });

  it('no output and no log line contains any token used in these tests', () => {
    expect(tokens.length).toBeGreaterThan(10);
    const everything = outputs.join('\n') + server.logs();
    for (const token of tokens.filter(Boolean)) expect(everything).not.toContain(token);
  });
});
