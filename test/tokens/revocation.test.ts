// oauth_revoke_access at servers that deviate from RFC 7009: one that answers the revocation of an access
// token its refresh token's revocation already ended with 400 (a small server on 127.0.0.1 standing in
// for the revocation endpoint), and the real oidc-provider with revocation switched off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { toolError, useInProcessServer } from '../helpers/in-process-server.js';
import { demoConfig, PROVIDER, signedInSession } from '../helpers/signed-in-session.js';

const as = useAuthorizationServer();

describe('a server that answers the revocation of an already ended access token with 400', () => {
  /** What the revocation endpoint answers for an access token; a refresh token is always revoked (200). */
  let accessTokenAnswer: { status: number; body: unknown } = { status: 200, body: '' };
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer(() => ({
      'POST /revoke': (request) =>
        new URLSearchParams(request.body).get('token_type_hint') === 'refresh_token'
          ? { body: '' }
          : accessTokenAnswer,
    }));
  });
  afterAll(() => server?.close());
  const mcp = useInProcessServer(() => {
    const config = demoConfig(as());
    const demo = config.providers[PROVIDER];
    return {
      ...config,
      providers: { [PROVIDER]: { ...demo, metadata: { revocation_endpoint: `${server.origin}/revoke` } } },
    };
  });
  const revocations = (hint: string) =>
    server.requests.filter((r) => new URLSearchParams(r.body).get('token_type_hint') === hint).length;

  it.each(['invalid_request', 'invalid_token'])(
    'tolerates 400 %s after the refresh token was revoked: the session is removed, logged once with RFC 7009 2.1/2.2',
    async (error) => {
      accessTokenAnswer = { status: 400, body: { error } };
      for (let i = 0; i < 2; i++) {
        const session = await signedInSession(as(), mcp.store);
        const result = await mcp.server.call('oauth_revoke_access', { session_id: session.session_id });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({
          session_id: session.session_id,
          session_removed: true,
        });
        expect(result.structuredContent.revoked).toEqual([
          expect.objectContaining({ token_type_hint: 'refresh_token' }),
          expect.objectContaining({ token_type_hint: 'access_token', already_invalid: true }),
        ]);
        expect(await new Vault(mcp.store).getSession(session.session_id)).toBeUndefined();
      }
      const notes = mcp.server
        .logs()
        .split('\n')
        .filter((line) => /RFC 7009 section 2\.1: .*section 2\.2/.test(line));
      expect(notes).toHaveLength(1);
    },
  );

  it('still fails on a real refusal (400 invalid_client), and keeps the session', async () => {
    accessTokenAnswer = { status: 400, body: { error: 'invalid_client' } };
    const session = await signedInSession(as(), mcp.store);
    const result = await mcp.server.call('oauth_revoke_access', { session_id: session.session_id });
    expect(toolError(result).message).toMatch(/invalid_client/);
    expect(await new Vault(mcp.store).getSession(session.session_id)).toBeDefined();
  });

  it('still fails when only the access token was revoked: nothing had ended it', async () => {
    accessTokenAnswer = { status: 400, body: { error: 'invalid_request' } };
    const session = await signedInSession(as(), mcp.store);
    const before = revocations('refresh_token');
    const result = await mcp.server.call('oauth_revoke_access', {
      session_id: session.session_id,
      which: 'access_token',
    });
    expect(toolError(result).message).toMatch(/invalid_request/);
    expect(revocations('refresh_token')).toBe(before);
    expect(await new Vault(mcp.store).getSession(session.session_id)).toBeDefined();
  });
});

describe('a server without a revocation endpoint', () => {
  const withoutRevocation = useAuthorizationServer({ features: { revocation: false } });
  const mcp = useInProcessServer(() => demoConfig(withoutRevocation()));

  it('signs out here: the session is removed, and the result says the tokens stay valid at the server', async () => {
    const session = await signedInSession(withoutRevocation(), mcp.store);
    const result = await mcp.server.call('oauth_revoke_access', { session_id: session.session_id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ revoked: [], session_removed: true });
    expect(result.structuredContent.not_revoked_reason).toMatch(
      /has no revocation endpoint \(RFC 7009\): the session was removed here, but its tokens were not revoked and stay valid at the server until they expire/,
    );
    expect(await new Vault(mcp.store).getSession(session.session_id)).toBeUndefined();
    // and the token is indeed still accepted by the server
    const userinfo = await fetch(`${withoutRevocation().issuer}/me`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(userinfo.status).toBe(200);
  });

  it('refuses to revoke a raw token, saying it stays valid until it expires', async () => {
    const session = await signedInSession(withoutRevocation(), mcp.store);
    const result = await mcp.server.call('oauth_revoke_access', { token: session.access_token });
    expect(toolError(result).message).toMatch(/cannot be revoked there: it stays valid until it expires/);
  });
});
