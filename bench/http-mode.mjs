// Benchmark 4, HTTP mode: requests per second of a stateless (2026-era) tools/call on a cheap tool
// (oauth_list_sessions) without auth vs a bare SDK HTTP server with one zod tool, and with bearer
// validation (RFC 9068 JWT, JWKS cached) vs without; autocannon on loopback, rounds interleaved,
// medians of same-round ratios; p99 latency.

import autocannon from 'autocannon';
import { DEMO_CLIENTS, startAuthorizationServer } from '../dist/demo/authorization-server.js';
import { freePort, startBareHttp, startHttp } from './lib/processes.mjs';
import { median, row } from './lib/stats.mjs';

const MCP_SCOPES = 'mcp:tools:read mcp:tools:execute';
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'oauth-mcp-bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
export const callBody = (name, args = {}) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: args, _meta: META },
  });
export const callHeaders = (name) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': name,
});
const TOOL = 'oauth_list_sessions';
const HEADERS = callHeaders(TOOL);

export async function httpMode({ rounds, seconds, connections }) {
  const authedPort = await freePort();
  const audience = `http://127.0.0.1:${authedPort}/mcp`;
  const as = await startAuthorizationServer({
    resourceServers: { [audience]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' } },
    onServerError: () => undefined,
  });
  const token = await as.issueAccessToken({
    accountId: 'bench',
    clientId: DEMO_CLIENTS.public.clientId,
    scope: MCP_SCOPES,
    resource: audience,
  });
  const authed = await startHttp(authedPort, {
    store: { type: 'memory' },
    http: { auth: { issuer: as.issuer, audience } },
  });
  const open = await startHttp(await freePort(), { store: { type: 'memory' } });
  const bare = await startBareHttp(await freePort());
  const targets = {
    bare: { url: bare.url, headers: callHeaders('list_sessions'), body: callBody('list_sessions') },
    open: { url: open.url, headers: HEADERS, body: callBody(TOOL) },
    bearer: {
      url: authed.url,
      headers: { ...HEADERS, authorization: `Bearer ${token}` },
      body: callBody(TOOL),
    },
  };
  try {
    for (const target of Object.values(targets)) await expectToolResult(target);
    const names = Object.keys(targets);
    const runs = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        runs[name].push(await load(targets[name], seconds, connections));
      }
    }
    const rps = (name) => median(runs[name].map((r) => r.requests.average));
    // rounds run back to back, so each round's runs share the machine's load of the moment
    const ratioOf = (a, b) => median(runs[a].map((r, i) => r.requests.average / runs[b][i].requests.average));
    const ratio = ratioOf('bearer', 'open');
    const p99 = (name) => median(runs[name].map((r) => r.latency.p99));
    const failures = Object.values(runs)
      .flat()
      .reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    const detail = `${rounds} x ${seconds} s rounds each, ${connections} connections, interleaved`;
    return {
      rows: [
        row({
          bench: 'HTTP mode',
          metric: 'bare SDK HTTP server tools/call',
          value: rps('bare'),
          unit: 'req/s',
        }),
        row({
          bench: 'HTTP mode',
          metric: 'tools/call without auth',
          value: rps('open'),
          unit: 'req/s',
          ratio: ratioOf('open', 'bare'),
          target: ['>=', 0.95],
          detail: `vs the bare SDK server; ${detail}`,
        }),
        row({
          bench: 'HTTP mode',
          metric: 'tools/call with bearer JWT validation',
          value: rps('bearer'),
          unit: 'req/s',
          ratio,
          target: ['>=', 0.95],
          detail: `median of per-round ratios; non-2xx or errors: ${failures}`,
        }),
        row({ bench: 'HTTP mode', metric: 'p99 latency without auth', value: p99('open'), unit: 'ms' }),
        row({
          bench: 'HTTP mode',
          metric: 'p99 latency with bearer validation',
          value: p99('bearer'),
          unit: 'ms',
          ratio: p99('bearer') / p99('open'),
        }),
      ],
      samples: Object.fromEntries(
        Object.entries(runs).map(([name, list]) => [name, list.map((r) => r.requests.average)]),
      ),
    };
  } finally {
    await authed.stop();
    await open.stop();
    await bare.stop();
    await as.close();
  }
}

/** One request first: the benchmark must time real tool results, not refusals. */
export async function expectToolResult({ url, headers, body: requestBody }) {
  const response = await fetch(url, { method: 'POST', headers, body: requestBody });
  const body = await response.json().catch(() => undefined);
  if (response.status !== 200 || !body?.result || body.result.isError) {
    throw new Error(`tools/call answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

function load({ url, headers, body }, seconds, connections) {
  return autocannon({ url, method: 'POST', headers, body, connections, duration: seconds });
}
