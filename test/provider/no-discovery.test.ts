// A server without discovery: the real oidc-provider with its /.well-known/ routes answering 404, and a
// provider configured with `discovery: false` and its endpoints in `metadata`. Every flow works and not
// one discovery request is made. Without `discovery: false`, the two 404s are noticed once and the
// configured endpoints used alone.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { approveDevice, signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer({ blockDiscovery: true });
let mcp: InProcessServer;

function data(result: Awaited<ReturnType<InProcessServer['call']>>): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent as Record<string, any>;
}

const discoveryRequests = () =>
  Object.entries(as().counts())
    .filter(([key]) => key.includes('/.well-known/'))
    .reduce((sum, [, n]) => sum + n, 0);

beforeAll(async () => {
  const issuer = as.issuer;
  mcp = await startInProcess({
    providers: {
      legacy: {
        issuer,
        discovery: false,
        metadata: {
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          device_authorization_endpoint: `${issuer}/device/auth`,
          introspection_endpoint: `${issuer}/token/introspection`,
          revocation_endpoint: `${issuer}/token/revocation`,
          userinfo_endpoint: `${issuer}/me`,
          jwks_uri: `${issuer}/jwks`,
          scopes_supported: ['openid', 'profile', 'offline_access'],
        },
        ...as().clients.confidential,
        scopes: ['openid', 'profile'],
      },
    },
    defaultProvider: 'legacy',
  });
});
afterAll(() => mcp?.close());

describe('a provider with discovery: false and metadata', () => {
  it('is what oauth_discover shows, every endpoint from the config, without asking the server', async () => {
    const found = data(await mcp.call('oauth_discover', {}));
    expect(found).toMatchObject({ issuer: as.issuer, source: 'config', documents: [] });
    expect(found.endpoint_sources).toEqual({
      authorization_endpoint: 'config',
      token_endpoint: 'config',
      device_authorization_endpoint: 'config',
      introspection_endpoint: 'config',
      revocation_endpoint: 'config',
      userinfo_endpoint: 'config',
      jwks_uri: 'config',
    });
    expect(discoveryRequests()).toBe(0);
  });

  it('gets a machine token with client credentials', async () => {
    const machine = data(
      await mcp.call('oauth_client_credentials', { scopes: ['api:read'], force_new: true }),
    );
    expect(machine.session).toMatchObject({ grant: 'client_credentials', scope: 'api:read' });
    expect(discoveryRequests()).toBe(0);
  });

  it('signs in with the code flow, refreshes, introspects and revokes', async () => {
    const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
    const query = new URL(started.authorization_url).searchParams;
    // offline_access is listed in the configured scopes_supported, so it is asked for
    expect(query.get('scope')).toBe('openid profile offline_access');
    await signIn(started.authorization_url, { login: 'ada', followCallback: true });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    expect(done.session).toMatchObject({ subject: 'ada', has_refresh_token: true });
    const sessionId = done.session.session_id as string;

    const refreshed = data(await mcp.call('oauth_refresh_token', { session_id: sessionId }));
    expect(refreshed.session.access_token_sha256).not.toBe(done.session.access_token_sha256);

    const introspection = data(await mcp.call('oauth_introspect_token', { session_id: sessionId }));
    expect(introspection).toMatchObject({ active: true, sub: 'ada', method: 'introspection' });

    const revoked = data(await mcp.call('oauth_revoke_access', { session_id: sessionId }));
    expect(revoked.session_removed).toBe(true);
    expect(discoveryRequests()).toBe(0);
  });

  it('signs in with the device flow', async () => {
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    await approveDevice(started.verification_uri_complete, { login: 'grace' });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 10 }),
    );
    expect(done.session).toMatchObject({ grant: 'device_code', subject: 'grace', has_refresh_token: true });
    expect(discoveryRequests()).toBe(0);
    expect(as().counts()['POST /device/auth']).toBe(1);
  });

  it('counts what it blocks: discovering the same server by its issuer fails, after two requests', async () => {
    const result = await mcp.call('oauth_discover', { issuer: as.issuer });
    expect(result.isError).toBe(true);
    expect(discoveryRequests()).toBe(2);
  });
});

describe('a provider with metadata but without discovery: false, at a server that publishes no documents', () => {
  let forgetful: InProcessServer;
  beforeAll(async () => {
    const issuer = as.issuer;
    forgetful = await startInProcess({
      providers: {
        forgotten: {
          issuer,
          metadata: { token_endpoint: `${issuer}/token`, revocation_endpoint: `${issuer}/token/revocation` },
          ...as().clients.confidential,
        },
      },
    });
  });
  afterAll(() => forgetful?.close());

  it('uses the configured endpoints after the two 404s, says so once in the log, and asks no more', async () => {
    as().resetCounts();
    const first = data(await forgetful.call('oauth_client_credentials', { scopes: ['api:read'] }));
    expect(first.session).toMatchObject({ grant: 'client_credentials', scope: 'api:read' });
    expect(discoveryRequests()).toBe(2);
    const found = data(await forgetful.call('oauth_discover', {}));
    expect(found).toMatchObject({ source: 'config', documents: [] });
    data(await forgetful.call('oauth_revoke_access', { session_id: first.session.session_id }));
    expect(discoveryRequests()).toBe(2);
    const notes = forgetful
      .logs()
      .split('\n')
      .filter((line) => line.includes('publishes no discovery document'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /both answered 404\), so the endpoints in the provider's "metadata" are used alone/,
    );
  });

  it('says what the configuration lacks when an operation needs an endpoint it does not give', async () => {
    const result = await forgetful.call('oauth_authenticate_user', { wait_seconds: 0 });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(
      /has no authorization endpoint, so a browser sign-in is not possible/,
    );
  });
});

describe('a provider with metadata whose server fails discovery for another reason', () => {
  let broken: FixtureServer;
  let mcp2: InProcessServer | undefined;
  afterEach(async () => {
    await mcp2?.close();
    await broken?.close();
  });

  it('does not fall back on a server error, and advises discovery: false', async () => {
    broken = await startFixtureServer(() => ({
      '/.well-known/openid-configuration': { status: 500, body: 'down' },
      '/.well-known/oauth-authorization-server': { status: 500, body: 'down' },
    }));
    mcp2 = await startInProcess({
      providers: {
        flaky: {
          issuer: broken.origin,
          metadata: { token_endpoint: `${broken.origin}/token` },
          clientId: 'machine',
          clientSecret: 'machine-secret-0123456789',
        },
      },
    });
    const result = await mcp2.call('oauth_client_credentials', {});
    expect(result.structuredContent?.error).toMatchObject({ code: 'not_configured' });
    expect(result.content[0]?.text).toMatch(/set "discovery": false to use them alone/);
    expect(broken.requests.filter((r) => r.path === '/token')).toHaveLength(0);
  });
});
