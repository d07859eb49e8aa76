// Inputs a model actually sends, against the real oidc-provider: a machine client registered with
// `redirect_uris: []`, `provider` and `issuer` both given; and offline_access asked for unless opted out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';

const as = useAuthorizationServer();
let mcp: InProcessServer;

function data(result: Awaited<ReturnType<InProcessServer['call']>>): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent as Record<string, any>;
}

beforeAll(async () => {
  mcp = await startInProcess({
    providers: {
      demo: { issuer: as.issuer, ...as().clients.public },
      quiet: { issuer: as.issuer, ...as().clients.public, offlineAccess: false },
    },
    defaultProvider: 'demo',
  });
});
afterAll(() => mcp?.close());

describe('inputs a model sends', () => {
  it('registers a machine client with redirect_uris [] and gets a client-credentials token with it', async () => {
    const registered = data(
      await mcp.call('oauth_register_client', { provider: 'demo', name: 'robot', redirect_uris: [] }),
    );
    expect(registered).toMatchObject({
      grant_types: ['client_credentials'],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      has_client_secret: true,
    });
    const token = data(
      await mcp.call('oauth_client_credentials', { provider: 'robot', scopes: ['api:read'] }),
    );
    expect(token.session).toMatchObject({ grant: 'client_credentials', scope: 'api:read' });
  });

  it('refuses redirect_uris [] with the authorization_code grant, saying why', async () => {
    const result = await mcp.call('oauth_register_client', {
      redirect_uris: [],
      grant_types: ['authorization_code'],
    });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/needs a redirect URI/);
  });

  it('accepts provider and issuer naming the same server (trailing slash or not)', async () => {
    const found = data(await mcp.call('oauth_discover', { provider: 'demo', issuer: `${as.issuer}/` }));
    expect(found).toMatchObject({ provider: 'demo', issuer: as.issuer });
    const registered = data(
      await mcp.call('oauth_register_client', { provider: 'demo', issuer: as.issuer, name: 'both-given' }),
    );
    expect(registered.issuer).toBe(as.issuer);
  });

  it('refuses provider and issuer naming different servers', async () => {
    const result = await mcp.call('oauth_register_client', {
      provider: 'demo',
      issuer: 'https://other.example.com',
    });
    expect(result.structuredContent?.error).toMatchObject({ code: 'invalid_input' });
    expect(result.content[0]?.text).toMatch(/"issuer" says https:\/\/other\.example\.com/);
  });
});

describe('offline_access', () => {
  it('is asked for when the server lists it, with prompt=consent', async () => {
    const started = data(await mcp.call('oauth_authenticate_user', { scopes: ['openid'], wait_seconds: 0 }));
    const query = new URL(started.authorization_url).searchParams;
    expect(query.get('scope')).toBe('openid offline_access');
    expect(query.get('prompt')).toBe('consent');
  });

  it('is not asked for when the provider opts out', async () => {
    const started = data(
      await mcp.call('oauth_authenticate_user', { provider: 'quiet', scopes: ['openid'], wait_seconds: 0 }),
    );
    const query = new URL(started.authorization_url).searchParams;
    expect(query.get('scope')).toBe('openid');
    expect(query.get('prompt')).toBeNull();
  });
});
