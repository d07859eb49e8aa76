// Limits on what a model or an authorization server can make oauth-mcp hold: free-text tool inputs that
// are sent to a server or stored have length caps; AS lifetimes are clamped (a pending flow lives at most
// 30 minutes, a token's expiry at most a year ahead); a file store without a key says so on stderr.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { startServerProcess } from '../helpers/mcp-server-process.js';
import { data } from '../sign-in/harness.js';

const as = useAuthorizationServer();
const long = (n: number) => 'a'.repeat(n);

describe('length caps on tool inputs', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      providers: { work: { issuer: as.issuer, ...as().clients.confidential } },
      defaultProvider: 'work',
      api: { allowedOrigins: [as.issuer] },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => as().resetCounts());

  const oversized: [string, Record<string, unknown>, RegExp][] = [
    ['oauth_client_credentials', { resource: `https://api.example/${long(3000)}` }, /resource is too long/],
    ['oauth_client_credentials', { scopes: [long(300)] }, /scope is too long/],
    ['oauth_client_credentials', { provider: long(200) }, /provider is too long/],
    ['oauth_authenticate_user', { login_hint: long(300), wait_seconds: 0 }, /login_hint|too_big|256/],
    [
      'oauth_authenticate_user',
      { resource: `https://api.example/${long(3000)}`, wait_seconds: 0 },
      /resource is too long/,
    ],
    ['oauth_discover', { issuer: `https://as.example/${long(3000)}` }, /issuer is too long/],
    ['oauth_register_client', { client_name: long(300) }, /client_name|too_big|200/],
    [
      'oauth_register_client',
      { redirect_uris: [`http://127.0.0.1/${long(3000)}`] },
      /redirect URI is too long/,
    ],
    [
      'oauth_register_client',
      { extra_metadata: { client_uri: long(20_000) } },
      /extra_metadata is too large/,
    ],
    ['oauth_register_client', { grant_types: [long(300)] }, /grant type is too long/],
    ['oauth_call_api', { url: `${'http://127.0.0.1:1/'}${long(9000)}` }, /url is too long/],
    [
      'oauth_call_api',
      {
        url: 'http://127.0.0.1:1/',
        headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-h${i}`, 'v'])),
      },
      /too many headers/,
    ],
    [
      'oauth_call_api',
      { url: 'http://127.0.0.1:1/', headers: { [long(300)]: 'v' } },
      /header name is too long/,
    ],
    [
      'oauth_call_api',
      { url: 'http://127.0.0.1:1/', query: { q: long(9000) } },
      /query parameter value is too long/,
    ],
    [
      'oauth_call_api',
      { url: 'http://127.0.0.1:1/', method: 'POST', json: { big: long(1_000_001) } },
      /json is too large/,
    ],
  ];

  for (const [tool, args, message] of oversized) {
    it(`${tool} refuses ${Object.keys(args).join(', ')} over its cap, and nothing reaches the server`, async () => {
      const result = await server.call(tool, args);
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result)).toMatch(message);
      expect(as().counts()).toEqual({});
    });
  }

  it('accepts values at the cap', async () => {
    const result = await server.call('oauth_client_credentials', { scopes: [long(256)], force_new: true });
    expect(JSON.stringify(result)).not.toMatch(/too long/);
    expect(as().counts()['grant:client_credentials']).toBe(1);
  });
});

describe('lifetimes an authorization server claims', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      providers: { work: { issuer: as.issuer, ...as().clients.confidential } },
      defaultProvider: 'work',
    });
  });
  afterAll(() => server.close());

  it('keeps a device flow pending at most 30 minutes whatever expires_in says', async () => {
    as().failNext('POST /device/auth', {
      status: 200,
      body: JSON.stringify({
        device_code: 'dc-hostile',
        user_code: 'ABCD-EFGH',
        verification_uri: `${as.issuer}/device`,
        expires_in: 1e12,
        interval: 1e9,
      }),
    });
    const started = data(
      (await server.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 })) as never,
    );
    const ms = Date.parse(started.expires_at) - Date.now();
    expect(ms).toBeGreaterThan(29 * 60_000);
    expect(ms).toBeLessThanOrEqual(30 * 60_000);
  });

  it('stores a token expiry at most a year ahead whatever expires_in says', async () => {
    as().failNext('POST /token', {
      status: 200,
      body: JSON.stringify({ access_token: 'at-hostile-lifetime', token_type: 'Bearer', expires_in: 1e12 }),
    });
    const machine = data((await server.call('oauth_client_credentials', { force_new: true })) as never);
    const ms = Date.parse(machine.session.expires_at) - Date.now();
    expect(ms).toBeGreaterThan(364 * 86_400_000);
    expect(ms).toBeLessThanOrEqual(365 * 86_400_000);
  });
});

describe('a file store without a key', () => {
  it('warns once on stderr that tokens are not encrypted and how to encrypt them', async () => {
    const mcp = await startServerProcess({
      config: { providers: { work: { issuer: as.issuer, ...as().clients.confidential } } },
    });
    try {
      data(await mcp.call('oauth_client_credentials', {}));
      data(await mcp.call('oauth_client_credentials', { force_new: true }));
      const warnings = mcp.stderr().match(/NOT encrypted.*OAUTH_MCP_STORE_KEY/g) ?? [];
      expect(warnings).toHaveLength(1);
    } finally {
      await mcp.close();
    }
  });

  it('does not warn when the store has a key', async () => {
    const mcp = await startServerProcess({
      config: { providers: { work: { issuer: as.issuer, ...as().clients.confidential } } },
      env: { OAUTH_MCP_STORE_KEY: 'a-store-key-of-16-plus-chars' },
    });
    try {
      data(await mcp.call('oauth_client_credentials', {}));
      expect(mcp.stderr()).not.toMatch(/NOT encrypted/);
    } finally {
      await mcp.close();
    }
  });
});
