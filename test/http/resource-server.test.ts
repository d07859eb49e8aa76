// HTTP mode as an OAuth protected resource (MCP authorization spec), against the real server process and a
// real oidc-provider issuing JWT (RFC 9068) and opaque access tokens for our audience.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type ClientKind,
  connectClient,
  demoProvider,
  type HttpServerProcess,
  MCP_SCOPES,
  startHttpProcess,
} from '../helpers/http-server-process.js';

const PUBLIC_URL = 'https://mcp.example.test';
const AUDIENCE = `${PUBLIC_URL}/mcp`;
const OPAQUE_RESOURCE = `${PUBLIC_URL}/opaque`;
const OTHER_AUDIENCE = 'https://other.example.test/mcp';
const METADATA_URL = `${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp`;

const as = useAuthorizationServer({
  resourceServers: {
    [AUDIENCE]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' },
    // Opaque tokens for the same audience, checked by RFC 7662 introspection.
    [OPAQUE_RESOURCE]: { scope: MCP_SCOPES, accessTokenFormat: 'opaque', audience: AUDIENCE },
    [OTHER_AUDIENCE]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' },
  },
});

let server: HttpServerProcess;

function token(accountId: string, scope = MCP_SCOPES, resource = AUDIENCE): Promise<string> {
  return as().issueAccessToken({ accountId, clientId: DEMO_CLIENTS.public.clientId, scope, resource });
}

function postMcp(headers: Record<string, string>, body: unknown = listToolsRequest()): Promise<Response> {
  return fetch(server.mcpUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function listToolsRequest() {
  return { jsonrpc: '2.0', id: 1, method: 'initialize', params: initializeParams() };
}

function initializeParams() {
  return { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
}

beforeAll(async () => {
  server = await startHttpProcess({
    args: ['--public-url', PUBLIC_URL],
    config: {
      providers: {
        demo: demoProvider(as.issuer, { scopes: ['api:read'] }),
      },
      defaultProvider: 'demo',
      store: { type: 'memory' },
      http: {
        auth: {
          issuer: as.issuer,
          audience: AUDIENCE,
          introspection: {
            clientId: DEMO_CLIENTS.confidential.clientId,
            clientSecret: DEMO_CLIENTS.confidential.clientSecret,
          },
        },
      },
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

describe('protected resource metadata (RFC 9728)', () => {
  it('names the authorization server, the resource and the scopes, at both well-known locations', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const response = await fetch(`${server.origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: AUDIENCE,
        authorization_servers: [as.issuer],
        scopes_supported: ['mcp:tools:read', 'mcp:tools:execute'],
        bearer_methods_supported: ['header'],
        resource_name: 'oauth-mcp',
      });
    }
  });

  it('answers /healthz without a token', async () => {
    const response = await fetch(`${server.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('bearer token check on /mcp', () => {
  it('answers a request without a token with 401, the resource metadata URL and every scope a session needs', async () => {
    const response = await postMcp({});
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    // A client registers (RFC 7591) with this scope: it must already cover calling tools.
    expect(challenge).toContain('scope="mcp:tools:read mcp:tools:execute"');
  });

  it('refuses a token issued for another audience with 401 invalid_token', async () => {
    const response = await postMcp({
      Authorization: `Bearer ${await token('alice', MCP_SCOPES, OTHER_AUDIENCE)}`,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a forged token with 401', async () => {
    const real = await token('alice');
    const [header, payload] = real.split('.');
    const response = await postMcp({ Authorization: `Bearer ${header}.${payload}.${'A'.repeat(342)}` });
    expect(response.status).toBe(401);
  });

  it('refuses an unknown opaque token with 401', async () => {
    const response = await postMcp({ Authorization: 'Bearer not-a-token-anyone-issued-0123456789' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${METADATA_URL}"`);
  });

  it('answers a token without mcp:tools:read with 403 insufficient_scope naming all the scopes, not only the missing one', async () => {
    const response = await postMcp({ Authorization: `Bearer ${await token('alice', 'mcp:tools:execute')}` });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="mcp:tools:read mcp:tools:execute"');
    expect(challenge).toContain('error_description="The access token lacks mcp:tools:read.');
  });
});

describe('scopes per operation', () => {
  it('answers a tools/call without mcp:tools:execute with 403 insufficient_scope naming all the scopes of the call', async () => {
    const readOnly = { Authorization: `Bearer ${await token('alice', 'mcp:tools:read')}` };
    const init = await postMcp(readOnly);
    expect(init.status).toBe(200);
    const session = { ...readOnly, 'Mcp-Session-Id': init.headers.get('mcp-session-id') ?? '' };
    await init.body?.cancel();
    const call = await postMcp(session, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'oauth_list_sessions', arguments: {} },
    });
    expect(call.status).toBe(403);
    const challenge = call.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    // The SDK v1 client re-authorizes with exactly this scope: naming only the missing one would drop read.
    expect(challenge).toContain('scope="mcp:tools:read mcp:tools:execute"');
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
  });
});

describe.each<ClientKind>(['v2-modern', 'v2-legacy', 'v1'])('tools through the %s client', (kind) => {
  it('lists tools with mcp:tools:read only, and refuses tools/call without mcp:tools:execute', async () => {
    const readOnly = await token('alice', 'mcp:tools:read');
    const client = await connectClient(server.mcpUrl, readOnly, kind);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('oauth_list_sessions');
      await expect(client.callTool('oauth_list_sessions')).rejects.toThrow(/insufficient.scope/i);
    } finally {
      await client.close();
    }
  });

  it('runs tools with a valid JWT access token', async () => {
    const client = await connectClient(server.mcpUrl, await token('carol'), kind);
    try {
      const result = await client.callTool('oauth_list_sessions');
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ sessions: [], store: { backend: 'memory' } });
    } finally {
      await client.close();
    }
  });

  it('runs tools with an opaque token validated by introspection', async () => {
    const opaque = await token('dave', MCP_SCOPES, OPAQUE_RESOURCE);
    expect(opaque.split('.')).toHaveLength(1);
    const client = await connectClient(server.mcpUrl, opaque, kind);
    try {
      const result = await client.callTool('oauth_list_sessions');
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
