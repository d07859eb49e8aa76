// SSRF through the built server over stdio: a hostile authorization server on loopback names other
// loopback ports (internal services the config does not name) as its registration client URI and, for a
// second issuer of it, as token endpoint and JWKS; oauth_discover probes open and closed ports. The
// internal services must receive nothing.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, type ToolResult } from '../helpers/mcp-server-process.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Recorder {
  origin: string;
  port: number;
  requests: Seen[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  close(): Promise<void>;
}

type Handler = (seen: Seen, res: ServerResponse, origin: string) => void;

/** An HTTP server on 127.0.0.1 that records every connection and request it gets. */
async function recorder(handler: Handler): Promise<Recorder> {
  const requests: Seen[] = [];
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    requests.push(seen);
    handler(seen, res, origin);
  });
  const state = { connections: 0 };
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** What an internal admin service would answer, if it were ever asked: a reflected GET would show it. */
const internalService = () =>
  recorder((_seen, res) =>
    json(res, 200, { client_id: 'evil-client', internal_data: 'db-password-hunter2' }),
  );

const errorOf = (result: ToolResult) => {
  expect(result.isError).toBe(true);
  return result.structuredContent.error as { code: string; message: string };
};

describe('hostile authorization server', () => {
  let admin: Recorder;
  let tokenService: Recorder;
  let hostile: Recorder;
  let server: ServerProcess;

  beforeAll(async () => {
    admin = await internalService();
    tokenService = await internalService();
    hostile = await recorder((seen, res, origin) => {
      if (seen.url === '/.well-known/oauth-authorization-server') {
        json(res, 200, {
          issuer: origin,
          token_endpoint: `${origin}/token`,
          registration_endpoint: `${origin}/register`,
          grant_types_supported: ['client_credentials'],
        });
      } else if (seen.url === '/.well-known/oauth-authorization-server/foreign') {
        json(res, 200, {
          issuer: `${origin}/foreign`,
          token_endpoint: `${tokenService.origin}/token`,
          jwks_uri: `${tokenService.origin}/jwks`,
          grant_types_supported: ['client_credentials'],
        });
      } else if (seen.url === '/register' && seen.method === 'POST') {
        json(res, 201, {
          client_id: 'evil-client',
          client_secret: 'evil-client-secret',
          client_secret_expires_at: 0,
          registration_access_token: 'rat-7592-Zq8vN3xKpW',
          registration_client_uri: `${admin.origin}/admin/clients/evil-client`,
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        });
      } else {
        json(res, 404, { error: 'not_found' });
      }
    });
    server = await startServerProcess({
      config: {
        providers: {
          hostile: {
            issuer: hostile.origin,
            clientId: 'configured-client',
            clientSecret: 'configured-secret',
          },
          foreign: {
            issuer: `${hostile.origin}/foreign`,
            clientId: 'configured-client',
            clientSecret: 'configured-secret',
          },
        },
        defaultProvider: 'hostile',
      },
    });
    const registered = await server.call('oauth_register_client', {
      provider: 'hostile',
      name: 'evil',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(registered.isError, registered.content[0]?.text).toBeFalsy();
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([admin, tokenService, hostile].map((r) => r?.close()));
  });

  it.each([
    ['oauth_get_client', { provider: 'evil' }],
    ['oauth_update_client', { provider: 'evil', client_name: 'renamed', extra_metadata: { jwks_uri: 'x' } }],
    ['oauth_delete_client', { provider: 'evil' }],
  ])(
    '%s refuses a registration_client_uri on another port: that service gets no request and no token',
    async (tool, args) => {
      const error = errorOf(await server.call(tool, args));
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('not on the origin of the issuer or registration endpoint');
      expect(error.message).not.toContain('hunter2');
      expect(admin.connections).toBe(0);
      expect(admin.requests).toEqual([]);
    },
  );

  it("never sends the client's credentials to a token endpoint its discovery names on another port", async () => {
    const error = errorOf(await server.call('oauth_client_credentials', { provider: 'foreign' }));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(`token_endpoint ${tokenService.origin}/token`);
    expect(tokenService.connections).toBe(0);
    expect(tokenService.requests).toEqual([]);
    expect(server.stderr()).not.toContain('configured-secret');
  });

  it('never fetches a JWKS from an unconfigured port to check a token locally', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = `${part({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${part({ sub: 'x' })}.c2ln`;
    const error = errorOf(await server.call('oauth_introspect_token', { provider: 'foreign', token: jwt }));
    expect(error.code).toBe('invalid_response');
    expect(tokenService.connections).toBe(0);
  });

  it('still keeps the registered profile, which can be forgotten locally', async () => {
    const deleted = await server.call('oauth_delete_client', { provider: 'evil', local_only: true });
    expect(deleted.structuredContent).toMatchObject({ provider: 'evil', deleted_at_server: false });
    expect(admin.requests).toEqual([]);
  });
});

describe('oauth_discover is no port scanner', () => {
  let open: Recorder;
  let closedPort: number;
  let server: ServerProcess;

  beforeAll(async () => {
    // Answers like an authorization server, so a connection would make a visible difference.
    open = await recorder((seen, res, origin) =>
      seen.url.startsWith('/.well-known/')
        ? json(res, 200, { issuer: origin, token_endpoint: `${origin}/token` })
        : json(res, 404, {}),
    );
    const closed = await recorder(() => undefined);
    closedPort = closed.port;
    await closed.close();
    server = await startServerProcess({ config: {} });
  });
  afterAll(async () => {
    await server?.close();
    await open?.close();
  });

  const discover = async (issuer: string) => errorOf(await server.call('oauth_discover', { issuer }));

  it('answers the same for an open and a closed loopback port, and connects to neither', async () => {
    const atOpen = await discover(`http://127.0.0.1:${open.port}`);
    const atClosed = await discover(`http://127.0.0.1:${closedPort}`);
    expect(atOpen.code).toBe('network_error');
    expect(atClosed.code).toBe(atOpen.code);
    expect(atClosed.message.replaceAll(String(closedPort), 'PORT')).toBe(
      atOpen.message.replaceAll(String(open.port), 'PORT'),
    );
    expect(atOpen.message).not.toMatch(/refused|reset|timed out/i);
    expect(open.connections).toBe(0);
  });

  it.each([
    'https://127.0.0.1:PORT',
    'https://2130706433:PORT',
    'https://0x7f.1:PORT',
    'https://0177.0.0.1:PORT',
    'https://127.1:PORT',
    'https://127.0.0.1.:PORT',
    'https://localhost.:PORT',
    'https://[::ffff:127.0.0.1]:PORT',
    'http://localhost:PORT',
    'https://0.0.0.0:PORT',
  ])('does not connect to %s', async (spelling) => {
    const error = await discover(spelling.replace('PORT', String(open.port)));
    expect(error.code).toBe('network_error');
    expect(open.connections).toBe(0);
  });

  it('refuses an issuer with credentials in it before any request', async () => {
    const error = await discover(`http://admin:s3cret@127.0.0.1:${open.port}`);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('must not contain a user name or password');
    expect(error.message).not.toContain('s3cret');
    expect(open.connections).toBe(0);
  });
});
