// HTTP mode serves many users of one deployment: the built server refuses a tunnel URL without http.auth,
// keeps the deployment's client secret to itself unless a provider opts in, gives each user a bounded share
// of MCP sessions and pending sign-ins, checks Origin down to the port, and never opens a browser.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type ConnectedClient,
  connectClient,
  type HttpServerProcess,
  MCP_SCOPES,
  mcpResourceServer,
  runHttpCli,
  startHttpProcess,
} from '../helpers/http-server-process.js';

const AUDIENCE = 'https://mcp.example.test/mcp';

const as = useAuthorizationServer({
  resourceServers: mcpResourceServer(AUDIENCE),
});

const machine = () => ({
  issuer: as.issuer,
  clientId: DEMO_CLIENTS.confidential.clientId,
  clientSecret: DEMO_CLIENTS.confidential.clientSecret,
  scopes: ['api:read'],
  resource: DEMO_RESOURCE,
});
const config = (withAuth: boolean) => ({
  providers: { deployment: machine(), shared: { ...machine(), sharedClientCredentials: true } },
  defaultProvider: 'deployment',
  store: { type: 'memory' },
  ...(withAuth ? { http: { auth: { issuer: as.issuer, audience: AUDIENCE } } } : {}),
});

let server: HttpServerProcess;
const tokens: Record<string, string> = {};
let alice: ConnectedClient;

beforeAll(async () => {
  server = await startHttpProcess({ config: config(true) });
  for (const user of ['alice', 'bob', 'carol', 'dave']) {
    tokens[user] = await as().issueAccessToken({
      accountId: user,
      clientId: DEMO_CLIENTS.public.clientId,
      scope: MCP_SCOPES,
      resource: AUDIENCE,
    });
  }
  alice = await connectClient(server.mcpUrl, tokens.alice, 'v2-modern');
});

afterAll(async () => {
  await alice?.close();
  await server?.stop();
});

function initialize(user: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.mcpUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(user ? { Authorization: `Bearer ${tokens[user]}` } : {}),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

describe('start-up', () => {
  it('refuses a non-loopback public URL (a tunnel) without http.auth, as it refuses a non-loopback bind', async () => {
    const { code, stderr } = await runHttpCli(config(false), [
      '--port',
      '0',
      '--public-url',
      'https://x.tunnel.example',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('Refusing --public-url https://x.tunnel.example without "http.auth"');
    expect(stderr).not.toContain('loopback only');
  });
});

describe("the deployment's own clients", () => {
  it('gives HTTP users no client-credentials token of a configured client unless the provider opts in', async () => {
    const before = as().counts();
    const refused = await alice.callTool('oauth_client_credentials', { provider: 'deployment' });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect(refused.content[0]?.text).toContain('"sharedClientCredentials": true');
    expect(as().counts()).toEqual(before);

    const allowed = await alice.callTool('oauth_client_credentials', { provider: 'shared' });
    expect(allowed.isError, allowed.content[0]?.text).toBeFalsy();
    expect(allowed.structuredContent?.session).toMatchObject({ grant: 'client_credentials' });
  });

  it("introspects and revokes a token a user passes in with a configured client's secret only where the provider opts in", async () => {
    const token = await as().issueAccessToken({
      accountId: 'someone-else',
      clientId: DEMO_CLIENTS.confidential.clientId,
      scope: 'api:read',
      resource: DEMO_RESOURCE,
    });
    const before = as().counts();
    for (const tool of ['oauth_introspect_token', 'oauth_revoke_access']) {
      const refused = await alice.callTool(tool, { provider: 'deployment', token });
      expect(refused.isError, tool).toBe(true);
      expect(refused.structuredContent?.error, tool).toMatchObject({ code: 'forbidden' });
    }
    expect(as().counts()).toEqual(before);

    const introspected = await alice.callTool('oauth_introspect_token', { provider: 'shared', token });
    expect(introspected.structuredContent).toMatchObject({ active: true, method: 'introspection' });
    const revoked = await alice.callTool('oauth_revoke_access', { provider: 'shared', token });
    expect(revoked.isError, revoked.content[0]?.text).toBeFalsy();
  });
});

describe("each user's share", () => {
  it("caps one user's 2025-era MCP sessions with 429 while another user still gets in", async () => {
    const opened: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await initialize('bob');
      await response.body?.cancel();
      expect(response.status).toBe(200);
      opened.push(response.headers.get('mcp-session-id') as string);
    }
    const over = await initialize('bob');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');
    expect(((await over.json()) as { error: { message: string } }).error.message).toContain(
      'You have 20 open MCP sessions',
    );

    const other = await initialize('dave');
    await other.body?.cancel();
    expect(other.status).toBe(200);

    const closed = await fetch(server.mcpUrl, {
      method: 'DELETE',
      headers: {
        Authorization: `Bearer ${tokens.bob}`,
        'Mcp-Session-Id': opened[0] as string,
        'MCP-Protocol-Version': '2025-11-25',
      },
    });
    expect(closed.status).toBe(200);
    const again = await initialize('bob');
    await again.body?.cancel();
    expect(again.status).toBe(200);
  });

  it("caps one user's pending sign-ins while another user can still start one", async () => {
    const carol = await connectClient(server.mcpUrl, tokens.carol, 'v2-modern');
    const dave = await connectClient(server.mcpUrl, tokens.dave, 'v2-modern');
    try {
      const start = (client: ConnectedClient) =>
        client.callTool('oauth_authenticate_user', { flow: 'authorization_code', wait_seconds: 0 });
      for (let i = 0; i < 10; i++) expect((await start(carol)).isError).toBeFalsy();
      const over = await start(carol);
      expect(over.isError).toBe(true);
      expect(over.content[0]?.text).toContain('You already have 10 sign-ins waiting');
      expect((await start(dave)).structuredContent).toMatchObject({ status: 'pending' });
    } finally {
      await carol.close();
      await dave.close();
    }
  });
});

describe('Origin', () => {
  it("refuses an Origin on this server's host but another port", async () => {
    const port = Number(new URL(server.origin).port);
    const wrongPort = await initialize('alice', { Origin: `http://127.0.0.1:${port + 1}` });
    expect(wrongPort.status).toBe(403);
    const localhostWrongPort = await initialize('alice', { Origin: `http://localhost:${port + 1}` });
    expect(localhostWrongPort.status).toBe(403);
    const own = await initialize('alice', { Origin: server.origin });
    await own.body?.cancel();
    expect(own.status).toBe(200);
  });
});

describe('browser', () => {
  it("never opens a browser on the server's desktop for a remote user's sign-in", async () => {
    // A desktop session (DISPLAY) and an xdg-open that records being called: what browser.ts launches.
    const bin = mkdtempSync(join(tmpdir(), 'oauth-mcp-xdg-'));
    const marker = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" >> '${marker}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const own = await startHttpProcess({
      config: config(false),
      browserAllowed: true,
      env: { DISPLAY: ':0', PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    try {
      const client = await connectClient(own.mcpUrl, undefined, 'v2-modern');
      const started = await client.callTool('oauth_authenticate_user', {
        flow: 'authorization_code',
        wait_seconds: 0,
      });
      await client.close();
      expect(started.structuredContent).toMatchObject({ status: 'pending' });
      expect(started.structuredContent?.browser_opened).toBeFalsy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(existsSync(marker)).toBe(false);
    } finally {
      await own.stop();
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
