// oauth_client_credentials and OIDC user scopes, against a small server on 127.0.0.1 that, like some real
// ones, refuses a client-credentials request without a scope (invalid_scope) and records what it got.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

let as: HostileAuthorizationServer;
let mcp: InProcessServer;
/** The scope of each token request, `null` when none was sent. */
const scopes: (string | null)[] = [];

beforeAll(async () => {
  as = await startHostileAuthorizationServer(
    {
      token: ({ form }) => {
        const scope = form.get('scope');
        scopes.push(scope);
        return scope
          ? { body: { access_token: `at-${scopes.length}`, token_type: 'Bearer', expires_in: 600, scope } }
          : { status: 400, body: { error: 'invalid_scope', error_description: 'scope is required' } };
      },
    },
    { scopes_supported: ['openid', 'profile', 'orders.read'] },
  );
  const client = { clientId: 'machine', clientSecret: 'machine-secret-0123456789' };
  mcp = await startInProcess({
    providers: {
      users: { issuer: as.issuer, ...client, scopes: ['openid', 'profile'] },
      mixed: { issuer: as.issuer, ...client, scopes: ['openid', 'orders.read'] },
    },
    defaultProvider: 'users',
  });
});
afterAll(async () => {
  await mcp?.close();
  await as?.close();
});
beforeEach(() => {
  scopes.length = 0;
});

describe('oauth_client_credentials and OIDC user scopes', () => {
  it('sends the user scopes the caller asked for explicitly', async () => {
    const result = await mcp.call('oauth_client_credentials', {
      scopes: ['openid', 'profile'],
      force_new: true,
    });
    expect(result.isError).toBeFalsy();
    expect(scopes).toEqual(['openid profile']);
    expect(result.structuredContent.session).toMatchObject({ scope: 'openid profile' });
  });

  it("leaves the user scopes of the provider's default scopes out", async () => {
    const result = await mcp.call('oauth_client_credentials', { provider: 'mixed', force_new: true });
    expect(result.isError).toBeFalsy();
    expect(scopes).toEqual(['orders.read']);
  });

  it('says the server needs a scope when invalid_scope answers a request that sent none', async () => {
    const error = toolError(await mcp.call('oauth_client_credentials', { force_new: true }));
    expect(scopes).toEqual([null]);
    expect(error).toMatchObject({ code: 'oauth_error', oauth_error: 'invalid_scope' });
    expect(error.message).toMatch(
      /no scope was sent .* and this server needs one \(invalid_scope: scope is required\)\. Pass "scopes" \(it offers orders\.read\)/,
    );
    expect(error.message).not.toMatch(/Request only scopes/);
  });

  it('gives two grants at once a session each that still exists, and the next grant replaces both', async () => {
    const grant = async () =>
      (await mcp.call('oauth_client_credentials', { provider: 'mixed', force_new: true })).structuredContent
        .session.session_id as string;
    const listed = async () =>
      (await mcp.call('oauth_list_sessions', { provider: 'mixed' })).structuredContent.sessions.map(
        (s: { session_id: string }) => s.session_id,
      );
    const both = await Promise.all([grant(), grant()]);
    expect(await listed()).toEqual(expect.arrayContaining(both));
    const third = await grant();
    expect(await listed()).toEqual([third]);
  });

  it('keeps the usual advice when invalid_scope answers a request that sent a scope', async () => {
    as.endpoints.token = () => ({ status: 400, body: { error: 'invalid_scope' } });
    const error = toolError(
      await mcp.call('oauth_client_credentials', { scopes: ['admin'], force_new: true }),
    );
    expect(error.message).toMatch(/Request only scopes this client is allowed to use/);
  });
});
