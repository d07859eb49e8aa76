// Corporate networks (issue 24 section 3), end to end through the built server: a real oidc-provider with
// TLS from a CA this test makes, at a name only the proxy resolves (auth.test), reached through a CONNECT
// proxy on 127.0.0.1 with HTTPS_PROXY and NODE_EXTRA_CA_CERTS in the server's environment. The proxies
// record all they carry: no credential but the proxy's own ever reaches them, and loopback never goes
// through them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '../../src/demo/authorization-server.js';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';
import { type ServerProcess, startServerProcess, type ToolResult } from '../helpers/mcp-server-process.js';
import { makeTestCa, type TestCa } from '../helpers/test-ca.js';

const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'proxy-pass-Vq7xN2kLw9';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const errorOf = (result: ToolResult) => {
  expect(result.isError).toBe(true);
  return result.structuredContent.error as { code: string; message: string };
};

let ca: TestCa;
let tlsServer: RunningAuthorizationServer;
let plainServer: RunningAuthorizationServer;
/** The same CA's certificate on 127.0.0.1: reached directly, never through a proxy. */
let loopbackTlsServer: RunningAuthorizationServer;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  ca = makeTestCa(['auth.test', '127.0.0.1']);
  tlsServer = await startAuthorizationServer({ tls: { key: ca.key, cert: ca.cert, hostname: 'auth.test' } });
  loopbackTlsServer = await startAuthorizationServer({
    tls: { key: ca.key, cert: ca.cert, hostname: '127.0.0.1' },
  });
  plainServer = await startAuthorizationServer();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await tlsServer?.close();
  await plainServer?.close();
  await loopbackTlsServer?.close();
  ca?.remove();
});

/** The built server with `env`, configured for the TLS server (corp) and the plain loopback one (local). */
async function oauthMcp(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({
    config: {
      providers: {
        corp: { issuer: tlsServer.issuer, ...tlsServer.clients.confidential },
        local: { issuer: plainServer.issuer, ...plainServer.clients.confidential },
        localTls: { issuer: loopbackTlsServer.issuer, ...loopbackTlsServer.clients.confidential },
      },
      defaultProvider: 'corp',
    },
    env,
  });
  servers.push(server);
  return server;
}

describe('through a CONNECT proxy (HTTPS_PROXY) to a server with a private CA (NODE_EXTRA_CA_CERTS)', () => {
  let proxy: ForwardProxy;
  let server: ServerProcess;

  beforeAll(async () => {
    proxy = await startForwardProxy('connect');
    const withCredentials = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
    server = await oauthMcp({ HTTPS_PROXY: withCredentials, NODE_EXTRA_CA_CERTS: ca.caFile });
  });
  afterAll(() => proxy?.close());

  it('gets a token: discovery and the token request go through tunnels to auth.test', async () => {
    tlsServer.resetCounts();
    const result = await server.call('oauth_client_credentials', { provider: 'corp' });
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(tlsServer.counts()['grant:client_credentials']).toBe(1);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels.map((tunnel) => tunnel.target))).toEqual(
      new Set([`auth.test:${tlsServer.port}`]),
    );
    expect(proxy.requests).toEqual([]);
  });

  it('sends the proxy only its own credentials from the proxy URL, and nothing meant for the server', () => {
    const { clientId, clientSecret } = tlsServer.clients.confidential;
    for (const tunnel of proxy.tunnels) {
      expect(tunnel.headers['proxy-authorization']).toBe(basic(PROXY_USER, PROXY_PASSWORD));
      expect(tunnel.headers.authorization).toBeUndefined();
      const headers = Object.keys(tunnel.headers).filter((name) => name !== 'connection');
      expect(headers.sort()).toEqual(['host', 'proxy-authorization', 'proxy-connection']);
    }
    const carried = proxy.carried().toString('latin1');
    expect(carried.length).toBeGreaterThan(0);
    for (const secret of [clientSecret, basic(clientId, clientSecret).slice(6), 'client_credentials']) {
      expect(carried).not.toContain(secret);
    }
  });

  it("never shows the proxy's password in the log or a result", async () => {
    const result = await server.call('oauth_list_sessions', {});
    expect(JSON.stringify(result)).not.toContain(PROXY_PASSWORD);
    expect(server.stderr()).not.toContain(PROXY_PASSWORD);
  });

  it.each([
    ['plain http', 'local'],
    ['https, trusted through NODE_EXTRA_CA_CERTS there too', 'localTls'],
  ])('never sends loopback through the proxy (%s)', async (_what, provider) => {
    const before = proxy.connections;
    const result = await server.call('oauth_client_credentials', { provider });
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(proxy.connections).toBe(before);
  });

  it.each([
    'https://10.1.2.3',
    'https://169.254.169.254',
    'https://[::ffff:10.1.2.3]',
    'https://metadata.google.internal',
    'https://127.0.0.1:9',
  ])('refuses %s (not configured) before the proxy hears of it', async (issuer) => {
    const before = { connections: proxy.connections, tunnels: proxy.tunnels.length };
    const error = errorOf(await server.call('oauth_discover', { issuer }));
    expect(error.code).toBe('network_error');
    expect({ connections: proxy.connections, tunnels: proxy.tunnels.length }).toEqual(before);
  });

  it('leaves a name it does not know to the proxy, which resolves it (no local DNS)', async () => {
    const error = errorOf(
      await server.call('oauth_discover', { issuer: `https://other.test:${tlsServer.port}` }),
    );
    expect(error.code).toBe('network_error');
    expect(proxy.tunnels.map((tunnel) => tunnel.target)).toContain(`other.test:${tlsServer.port}`);
  });
});

describe('a private CA without NODE_EXTRA_CA_CERTS', () => {
  let proxy: ForwardProxy;
  beforeAll(async () => {
    proxy = await startForwardProxy('connect');
  });
  afterAll(() => proxy?.close());

  it('fails with the certificate named and says what to set', async () => {
    const server = await oauthMcp({ HTTPS_PROXY: proxy.url });
    const error = errorOf(await server.call('oauth_client_credentials', { provider: 'corp' }));
    expect(error.code).toBe('network_error');
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });
});

describe('a plain HTTP proxy (HTTP_PROXY), which forwards requests and refuses CONNECT', () => {
  let proxy: ForwardProxy;
  let server: ServerProcess;
  beforeAll(async () => {
    proxy = await startForwardProxy('plain');
    server = await oauthMcp({ HTTP_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile });
  });
  afterAll(() => proxy?.close());

  it('never carries a plain-http request: those go only to loopback, directly', async () => {
    const result = await server.call('oauth_client_credentials', { provider: 'local' });
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(proxy.connections).toBe(0);
  });

  it('is asked only to open a tunnel for https, without any credential, and its refusal is told', async () => {
    const error = errorOf(await server.call('oauth_client_credentials', { provider: 'corp' }));
    expect(error.code).toBe('network_error');
    expect(error.message).toContain(`through the proxy ${proxy.url} (HTTP_PROXY)`);
    expect(error.message).toContain('405');
    expect(proxy.requests).toEqual([]);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    for (const tunnel of proxy.tunnels) {
      expect(tunnel.headers.authorization).toBeUndefined();
      expect(tunnel.headers['proxy-authorization']).toBeUndefined();
    }
  });
});
