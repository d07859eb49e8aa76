// Safety defaults of HTTP mode: bad requests get proper HTTP errors and the server keeps serving; no
// non-loopback bind without http.auth; SIGTERM lets an in-flight tool call finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  connectClient,
  type HttpServerProcess,
  runHttpCli,
  startHttpProcess,
} from '../helpers/http-server-process.js';

const as = useAuthorizationServer();
let server: HttpServerProcess;

const config = () => ({
  providers: {
    demo: {
      issuer: as.issuer,
      clientId: DEMO_CLIENTS.confidential.clientId,
      clientSecret: DEMO_CLIENTS.confidential.clientSecret,
      scopes: ['api:read'],
      // HTTP mode keeps a configured client's secret from its users unless the provider opts in.
      sharedClientCredentials: true,
    },
  },
  defaultProvider: 'demo',
  store: { type: 'memory' },
  http: { maxBodyBytes: 65_536 },
});

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.mcpUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
}

async function stillServes(): Promise<void> {
  const client = await connectClient(server.mcpUrl, undefined, 'v2-modern');
  try {
    expect((await client.callTool('oauth_list_sessions')).isError).toBeFalsy();
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  server = await startHttpProcess({ config: config() });
});

afterAll(async () => {
  await server?.stop();
});

describe('bad requests', () => {
  it('refuses a request from a foreign Origin with 403 (DNS rebinding, cross-site)', async () => {
    const response = await post(initialize, { Origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    const allowed = await post(initialize, { Origin: `http://localhost:${new URL(server.origin).port}` });
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
    await stillServes();
  });

  it('refuses a Host header that is not a loopback name on a loopback bind with 403', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        server.mcpUrl,
        {
          method: 'POST',
          headers: {
            Host: 'attacker.example:80',
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(initialize);
    });
    expect(status).toBe(403);
  });

  it('answers an oversized body with 413', async () => {
    const response = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', pad: 'x'.repeat(70_000) }),
    );
    expect(response.status).toBe(413);
    await stillServes();
  });

  it('answers malformed JSON-RPC with 400', async () => {
    const notJson = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(notJson.status).toBe(400);
    const notRpc = await post(JSON.stringify({ hello: 'world' }));
    expect(notRpc.status).toBe(400);
    await stillServes();
  });

  it('answers an unknown MCP session id with 404', async () => {
    const response = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      'Mcp-Session-Id': '3f1d5a2e-0000-4000-8000-000000000000',
      'MCP-Protocol-Version': '2025-11-25',
    });
    expect(response.status).toBe(404);
    await stillServes();
  });

  it('answers a request target that is no URL with 400 and keeps serving', async () => {
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.origin).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      socket.end(`GET //x:99999 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await stillServes();
    expect(server.exitCode()).toBeNull();
  });

  it('answers unknown paths with 404 and serves /healthz', async () => {
    expect((await fetch(`${server.origin}/admin`)).status).toBe(404);
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
  });
});

describe('start-up safety', () => {
  it('refuses to bind a non-loopback address without http.auth, and says why', async () => {
    const { code, stderr } = await runHttpCli(config(), ['--host', '0.0.0.0', '--port', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('Refusing to listen on 0.0.0.0 without "http.auth"');
  });

  it('refuses a plain-http public URL that is not loopback', async () => {
    const { code, stderr } = await runHttpCli(config(), [
      '--port',
      '0',
      '--public-url',
      'http://mcp.example.com',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('--public-url');
  });

  it('refuses an http.auth scope that would break its WWW-Authenticate challenge, naming the field', async () => {
    const { code, stderr } = await runHttpCli(
      {
        ...config(),
        http: { auth: { issuer: as.issuer, audience: 'http://127.0.0.1/mcp', callScopes: ['tools" x="y'] } },
      },
      ['--port', '0'],
    );
    expect(code).toBe(2);
    expect(stderr).toContain('http.auth.callScopes');
    expect(stderr).toContain('one scope (RFC 6749 3.3');
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight tool call on SIGTERM, then exits 0', async () => {
    const own = await startHttpProcess({ config: config() });
    const client = await connectClient(own.mcpUrl, undefined, 'v1');
    as().delay('/token', 1_000);
    const call = client.callTool('oauth_client_credentials', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = own.stop('SIGTERM');
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent?.session).toMatchObject({ grant: 'client_credentials' });
    expect(await exit).toBe(0);
    await client.close().catch(() => undefined);
  });
});
