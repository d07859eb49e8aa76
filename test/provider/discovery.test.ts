// Discovery: OpenID Connect discovery first, RFC 8414 metadata for plain OAuth servers, each issuer once.

import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../src/auth/provider/registry.js';
import { guardedFetch } from '../../src/net/guarded-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';

/** The test server is on a loopback port no config names: allow private destinations. */
const fetch = guardedFetch(new OutboundPolicy({ configuredUrls: [], allowPrivate: true }));

/** A plain OAuth 2 server that publishes only RFC 8414 metadata and counts the requests it gets. */
function oauthOnlyServer(): { server: Server; requests: string[]; issuer: () => string } {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/.well-known/oauth-authorization-server') {
      const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer,
          token_endpoint: `${issuer}/token`,
          grant_types_supported: ['client_credentials'],
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  return {
    server,
    requests,
    issuer: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`,
  };
}

describe('discovery', () => {
  const as = oauthOnlyServer();
  beforeAll(() => new Promise<void>((resolve) => as.server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => as.server.close(() => resolve())));

  it('falls back to RFC 8414 metadata when the server has no OpenID configuration, and asks only once', async () => {
    const registry = new ProviderRegistry({ providers: {}, timeoutMs: 2_000, fetch });
    const first = await registry.discover(as.issuer());
    expect(first).toMatchObject({ issuer: as.issuer(), source: 'oauth-authorization-server' });
    expect(first.metadata.token_endpoint).toBe(`${as.issuer()}/token`);
    // both documents are read at once: their order of arrival is not fixed
    expect([...as.requests].sort()).toEqual([
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]);

    await registry.discover(as.issuer());
    await registry
      .withProfiles({ getProfile: async () => undefined, listProfileNames: async () => [] })
      .discover(as.issuer());
    expect(as.requests).toHaveLength(2);
  });

  it('does not cache a failure: a server that comes back is discovered on the next call', async () => {
    const registry = new ProviderRegistry({ providers: {}, timeoutMs: 2_000, fetch });
    const missing = `${as.issuer()}/tenant-that-does-not-exist`;
    await expect(registry.discover(missing)).rejects.toMatchObject({ code: 'invalid_response' });
    await expect(registry.discover(missing)).rejects.toMatchObject({ code: 'invalid_response' });
    expect(as.requests.filter((url) => url.includes('tenant-that-does-not-exist')).length).toBeGreaterThan(2);
  });
});
