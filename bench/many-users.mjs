// Benchmark 6, many users (HTTP mode): tools/call throughput with 1,000 distinct bearer principals taking
// turns vs one principal, each calling oauth_client_credentials (its own cached machine token), rounds
// interleaved, median of same-round ratios. Per-principal state (engine, vault, provider Configuration)
// must be cached, not rebuilt per call.

import autocannon from 'autocannon';
import { DEMO_CLIENTS, startAuthorizationServer } from '../dist/demo/authorization-server.js';
import { callBody, callHeaders, expectToolResult } from './http-mode.mjs';
import { freePort, startHttp } from './lib/processes.mjs';
import { median, row } from './lib/stats.mjs';

const MCP_SCOPES = 'mcp:tools:read mcp:tools:execute';
const TOOL = 'oauth_client_credentials';

/**
 * The demo authorization server issuing the bearer tokens of an HTTP instance on `port`, and the config
 * that instance needs (its provider, with one client's credentials shared by every user, and http.auth).
 */
export async function startBearerIssuer(port) {
  const audience = `http://127.0.0.1:${port}/mcp`;
  const as = await startAuthorizationServer({
    resourceServers: { [audience]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' } },
    onServerError: () => undefined,
  });
  const { clientId, clientSecret } = as.clients.confidential;
  return {
    as,
    config: {
      providers: { demo: { issuer: as.issuer, clientId, clientSecret, sharedClientCredentials: true } },
      http: { auth: { issuer: as.issuer, audience } },
    },
    /** Bearer tokens of `count` distinct principals, `user-<from>` on. */
    async tokens(count, from = 0) {
      const tokens = [];
      for (let i = from; i < from + count; i++) {
        tokens.push(
          await as.issueAccessToken({
            accountId: `user-${i}`,
            clientId: DEMO_CLIENTS.public.clientId,
            scope: MCP_SCOPES,
            resource: audience,
          }),
        );
      }
      return tokens;
    },
  };
}

export async function manyUsers({ users, rounds, seconds, connections }) {
  const port = await freePort();
  const { as, config, tokens: issue } = await startBearerIssuer(port);
  const server = await startHttp(port, { ...config, store: { type: 'memory' } });
  try {
    const tokens = await issue(users);
    const body = callBody(TOOL);
    const headers = callHeaders(TOOL);
    // every principal gets its machine token once; the timed calls reuse it from the store
    await callEach(server.url, tokens, connections);
    const runs = { one: [], many: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['one', 'many'] : ['many', 'one'];
      for (const name of order) {
        const pool = name === 'one' ? tokens.slice(0, 1) : tokens;
        runs[name].push(await load(server.url, pool, body, headers, seconds, connections));
      }
    }
    const ratio = median(runs.many.map((r, i) => r.requests.average / runs.one[i].requests.average));
    const failures = [...runs.one, ...runs.many].reduce(
      (sum, r) => sum + r.non2xx + r.errors + r.timeouts,
      0,
    );
    return {
      rows: [
        row({
          bench: 'many users',
          metric: `${TOOL} (cached), 1 principal`,
          value: median(runs.one.map((r) => r.requests.average)),
          unit: 'req/s',
        }),
        row({
          bench: 'many users',
          metric: `${TOOL} (cached), ${users} principals round-robin`,
          value: median(runs.many.map((r) => r.requests.average)),
          unit: 'req/s',
          ratio,
          target: ['>=', 0.9],
          detail: `${rounds} x ${seconds} s rounds each, ${connections} connections; non-2xx or errors: ${failures}`,
        }),
      ],
      samples: Object.fromEntries(
        Object.entries(runs).map(([k, list]) => [k, list.map((r) => r.requests.average)]),
      ),
    };
  } finally {
    await server.stop();
    await as.close();
  }
}

/** One oauth_client_credentials call per token, `connections` at a time; each must succeed. */
export async function callEach(url, tokens, connections) {
  const body = callBody(TOOL);
  const headers = callHeaders(TOOL);
  for (let i = 0; i < tokens.length; i += connections) {
    await Promise.all(
      tokens
        .slice(i, i + connections)
        .map((token) =>
          expectToolResult({ url, headers: { ...headers, authorization: `Bearer ${token}` }, body }),
        ),
    );
  }
}

function load(url, tokens, body, headers, seconds, connections) {
  let next = 0;
  return autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body,
          headers: { ...headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
        }),
      },
    ],
  });
}
