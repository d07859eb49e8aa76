// Fault suite, HTTP mode: the bearer gate of /mcp when the authorization server is unreachable, slow,
// or rotates its signing keys. Every request gets a clear HTTP answer within the timeout, the server
// keeps serving, and a token is never accepted without a verified signature.

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENTS,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '../../src/demo/authorization-server.js';
import {
  freePort,
  type HttpServerProcess,
  MCP_SCOPES,
  mcpResourceServer,
  startHttpProcess,
} from '../helpers/http-server-process.js';

const TIMEOUT_MS = 1_000;
const ANSWER_WITHIN_MS = TIMEOUT_MS + 1_500;
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'oauth-mcp-faults', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

let asPort = 0;
let httpPort = 0;
let as: RunningAuthorizationServer | undefined;
let server: HttpServerProcess;
const audience = () => `http://127.0.0.1:${httpPort}/mcp`;

async function startAs(): Promise<RunningAuthorizationServer> {
  as = await startAuthorizationServer({
    port: asPort,
    resourceServers: mcpResourceServer(audience()),
    onServerError: () => undefined,
  });
  asPort = as.port;
  return as;
}

async function stopAs(): Promise<void> {
  await as?.close();
  as = undefined;
}

function token(): Promise<string> {
  if (!as) throw new Error('the authorization server is stopped');
  return as.issueAccessToken({
    accountId: 'alice',
    clientId: DEMO_CLIENTS.public.clientId,
    scope: MCP_SCOPES,
    resource: audience(),
  });
}

/** A stateless (2026-era) tools/call of a cheap tool, timed. */
async function callTool(bearer: string) {
  const start = performance.now();
  const response = await fetch(`${server.origin}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'oauth_list_sessions',
      authorization: `Bearer ${bearer}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'oauth_list_sessions', arguments: {}, _meta: META },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    challenge: response.headers.get('www-authenticate'),
    ms: performance.now() - start,
  };
}

beforeAll(async () => {
  httpPort = await freePort();
});

// a fresh server and AS per test: the JWKS cache (and its refetch cooldown) starts empty
beforeEach(async () => {
  await startAs();
  server = await startHttpProcess({
    port: httpPort,
    config: {
      store: { type: 'memory' },
      timeoutMs: TIMEOUT_MS,
      http: { auth: { issuer: as?.issuer, audience: audience() } },
    },
  });
});

afterEach(async () => {
  await server?.stop();
  await stopAs();
});

describe('the bearer gate of /mcp when the authorization server fails', () => {
  it('answers a clear server error in time while the JWKS is unreachable, then serves again', async () => {
    const minted = await token();
    await stopAs();
    const refused = await callTool(minted);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.text).toMatch(/server_error|temporarily_unavailable/);
    expect(refused.ms).toBeLessThan(ANSWER_WITHIN_MS);

    await startAs(); // same port, new signing keys
    const served = await callTool(await token());
    expect(served.status).toBe(200);
    expect(JSON.parse(served.text).result.isError).toBeFalsy();
    // a token signed by the old keys is refused, never accepted unverified
    const stale = await callTool(minted);
    expect(stale.status).toBe(401);
    expect(stale.challenge).toContain('invalid_token');
  });

  it('answers a clear server error in time while the JWKS endpoint is slower than timeoutMs', async () => {
    as?.delay('/jwks', 3 * TIMEOUT_MS);
    const minted = await token();
    const slow = await callTool(minted);
    expect(slow.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(slow.status).toBeGreaterThanOrEqual(500);
    as?.clearFaults();
    expect((await callTool(minted)).status).toBe(200);
  });

  it('accepts tokens signed with rotated keys once the JWKS cooldown has passed, and refuses the old ones', async () => {
    const before = await token();
    expect((await callTool(before)).status).toBe(200);
    await stopAs();
    await startAs();
    const after = await token();
    const rotatedAt = performance.now();
    let answer = await callTool(after);
    while (answer.status !== 200 && performance.now() - rotatedAt < 40_000) {
      expect(answer.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      answer = await callTool(after);
    }
    expect(answer.status).toBe(200);
    console.info(
      `HTTP mode: a token signed with a rotated key was refused (401) for ${((performance.now() - rotatedAt) / 1000).toFixed(1)} s`,
    );
    expect((await callTool(before)).status).toBe(401);
  });
});
