// Benchmark 4, HTTP mode: requests per second of a stateless (2026-era) tools/call on a cheap tool
// (oauth_list_sessions) with bearer validation (RFC 9068 JWT, JWKS cached) vs the same server without
// auth; autocannon on loopback, rounds interleaved, medians; p99 latency.

import autocannon from 'autocannon';
import { DEMO_CLIENTS, startAuthorizationServer } from '../dist/demo/authorization-server.js';
import { freePort, startHttp } from './lib/processes.mjs';
import { median, row } from './lib/stats.mjs';

const MCP_SCOPES = 'mcp:tools:read mcp:tools:execute';
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'oauth-mcp-bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'oauth_list_sessions', arguments: {}, _meta: META },
});
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'oauth_list_sessions',
};

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
  const targets = {
    open: { url: open.url, headers: HEADERS },
    bearer: { url: authed.url, headers: { ...HEADERS, authorization: `Bearer ${token}` } },
  };
  try {
    for (const target of Object.values(targets)) await expectToolResult(target);
    const runs = { open: [], bearer: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['open', 'bearer'] : ['bearer', 'open'];
      for (const name of order) runs[name].push(await load(targets[name], seconds, connections));
    }
    const rps = (name) => median(runs[name].map((r) => r.requests.average));
    // rounds run back to back, so each round's pair shares the machine's load of the moment
    const ratio = median(runs.bearer.map((r, i) => r.requests.average / runs.open[i].requests.average));
    const p99 = (name) => median(runs[name].map((r) => r.latency.p99));
    const failures = Object.values(runs)
      .flat()
      .reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    const detail = `${rounds} x ${seconds} s rounds each, ${connections} connections, interleaved`;
    return {
      rows: [
        row({
          bench: 'HTTP mode',
          metric: 'tools/call without auth',
          value: rps('open'),
          unit: 'req/s',
          detail,
        }),
        row({
          bench: 'HTTP mode',
          metric: 'tools/call with bearer JWT validation',
          value: rps('bearer'),
          unit: 'req/s',
          ratio,
          target: ['>=', 0.9],
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
    await as.close();
  }
}

/** One request first: the benchmark must time real tool results, not refusals. */
async function expectToolResult({ url, headers }) {
  const response = await fetch(url, { method: 'POST', headers, body: BODY });
  const body = await response.json().catch(() => undefined);
  if (response.status !== 200 || !body?.result || body.result.isError) {
    throw new Error(`tools/call answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

function load({ url, headers }, seconds, connections) {
  return autocannon({ url, method: 'POST', headers, body: BODY, connections, duration: seconds });
}
