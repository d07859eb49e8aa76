// oauth_userinfo through a real MCP client against the real oidc-provider's userinfo endpoint.

import * as oidc from 'openid-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { useInProcessServer } from '../helpers/in-process-server.js';
import { confidentialClient, demoConfig, signedInSession } from '../helpers/signed-in-session.js';

const as = useAuthorizationServer();

describe('oauth_userinfo', () => {
  const mcp = useInProcessServer(() => demoConfig(as()));
  beforeEach(() => as().resetCounts());

  it("returns the user's claims, with the subject of the session's ID token", async () => {
    const session = await signedInSession(as(), mcp.store, { login: 'dora' });
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      session_id: session.session_id,
      provider: 'demo',
      subject: 'dora',
      claims: { sub: 'dora', name: 'Dora', email: 'dora@example.test', email_verified: true },
      refreshed: false,
    });
    expect(as().counts()['grant:refresh_token']).toBeUndefined();
  });

  it('refreshes first when the access token expires within 60 s', async () => {
    const session = await signedInSession(as(), mcp.store);
    await new Vault(mcp.store).putSession({
      ...session,
      expires_at: new Date(Date.now() + 20_000).toISOString(),
    });
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.structuredContent).toMatchObject({ subject: 'alice', refreshed: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);
  });

  it('refreshes once and retries when the userinfo endpoint rejects the access token', async () => {
    const session = await signedInSession(as(), mcp.store);
    // A dead access token beside a live refresh token (revoking it at oidc-provider ends its own grant).
    const other = await signedInSession(as(), new MemoryStore());
    await oidc.tokenRevocation(await confidentialClient(as()), other.access_token, {
      token_type_hint: 'access_token',
    });
    await new Vault(mcp.store).putSession({ ...session, access_token: other.access_token });
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.structuredContent).toMatchObject({ subject: 'alice', refreshed: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);
  });

  it('explains that a token issued for an API resource cannot be used at userinfo', async () => {
    const session = await signedInSession(as(), mcp.store, {
      scope: 'openid offline_access api:read',
      resource: DEMO_RESOURCE,
    });
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error.code).toBe('invalid_input');
    expect(result.structuredContent?.error.message).toContain(DEMO_RESOURCE);
    expect(result.structuredContent?.error.message).toContain('RFC 8707');
    expect(as().counts()['grant:refresh_token']).toBeUndefined();
  });

  it('refuses a client-credentials session: there is no user', async () => {
    const machine = await mcp.server.call('oauth_client_credentials', {
      scopes: ['api:read'],
      resource: DEMO_RESOURCE,
    });
    const result = await mcp.server.call('oauth_userinfo', {
      session_id: machine.structuredContent?.session.session_id,
    });
    expect(result.structuredContent?.error.code).toBe('invalid_input');
    expect(result.structuredContent?.error.message).toContain('no user');
  });

  it('refuses a session without an ID token subject and says to sign in with openid', async () => {
    const session = await signedInSession(as(), mcp.store, {
      scope: 'offline_access api:read',
      resource: DEMO_RESOURCE,
    });
    expect(session.subject).toBeUndefined();
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.structuredContent?.error.code).toBe('invalid_input');
    expect(result.structuredContent?.error.message).toContain('"openid"');
  });

  it('says to sign in again when the session needs it', async () => {
    const session = await signedInSession(as(), mcp.store);
    await oidc.tokenRevocation(await confidentialClient(as()), session.refresh_token ?? '', {
      token_type_hint: 'refresh_token',
    });
    await new Vault(mcp.store).putSession({
      ...session,
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    const result = await mcp.server.call('oauth_userinfo', { session_id: session.session_id });
    expect(result.structuredContent?.error).toMatchObject({
      code: 'not_authenticated',
      oauth_error: 'invalid_grant',
    });
    expect(result.structuredContent?.error.message).toContain('oauth_authenticate_user');
    expect((await new Vault(mcp.store).getSession(session.session_id))?.needs_reauth).toBe(true);
  });
});
