// Benchmark 2, tool overhead: oauth_client_credentials (force_new) through the MCP client vs a bare
// SDK server whose one tool calls openid-client's clientCredentialsGrant, both against the same local
// oidc-provider, calls interleaved; plus where the difference lies (the same grant through our engine in
// process, without MCP, vs openid-client's alone) and the cached path's AS round trips (counted at the AS).

import { join } from 'node:path';
import * as client from 'openid-client';
import { startAuthorizationServer } from '../dist/demo/authorization-server.js';
import { clientCredentials, createEngine, MemoryStore, parseConfig } from '../dist/index.js';
import { CLI, connect, ROOT, tempConfig } from './lib/processes.mjs';
import { interleave, median, percentile, row, timed } from './lib/stats.mjs';

export async function toolOverhead({ calls }) {
  const as = await startAuthorizationServer({ onServerError: () => undefined });
  const { clientId, clientSecret } = as.clients.confidential;
  const config = tempConfig({
    providers: { demo: { issuer: as.issuer, clientId, clientSecret } },
    store: { type: 'memory' },
  });
  const ours = await connect([CLI, '--config', config.path]);
  const bare = await connect([join(ROOT, 'bench/servers/bare-client-credentials.mjs')], {
    ISSUER: as.issuer,
    CLIENT_ID: clientId,
    CLIENT_SECRET: clientSecret,
  });
  const engine = createEngine({
    config: parseConfig({ providers: { demo: { issuer: as.issuer, clientId, clientSecret } } }),
    store: new MemoryStore(),
  });
  const configuration = await client.discovery(new URL(as.issuer), clientId, clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
  });
  try {
    const variants = {
      inProcess: () => timed(() => client.clientCredentialsGrant(configuration, {})),
      engine: () => timed(() => clientCredentials(engine.ctx, { provider: 'demo', forceNew: true })),
      bare: () => timed(() => bare.call('client_credentials')),
      oauthMcp: () => timed(() => ours.call('oauth_client_credentials', { force_new: true })),
    };
    await interleave(Math.max(10, calls / 10), variants); // warm-up: discovery, JIT, keep-alive sockets
    const connectionsBefore = as.connectionCount();
    const samples = await interleave(calls, variants);
    // four clients (in-process, engine, bare, ours) each make `calls` grants: kept-alive sockets open next to none
    const connectionsPerCall = (as.connectionCount() - connectionsBefore) / (4 * calls);

    const before = requestTotal(as.counts());
    const cachedCalls = Math.min(calls, 100);
    for (let i = 0; i < cachedCalls; i++) {
      const result = await ours.call('oauth_client_credentials');
      if (!result.structuredContent?.reused) throw new Error('the cached path contacted the server');
    }
    const cachedRoundTrips = (requestTotal(as.counts()) - before) / cachedCalls;

    const inProcess = median(samples.inProcess);
    const engineMedian = median(samples.engine);
    const baseline = median(samples.bare);
    const mine = median(samples.oauthMcp);
    const detail = `${calls} calls each, interleaved`;
    return {
      rows: [
        row({ bench: 'tool overhead', metric: 'in-process grant, median', value: inProcess, unit: 'ms' }),
        row({ bench: 'tool overhead', metric: 'bare SDK tool, median', value: baseline, unit: 'ms', detail }),
        row({
          bench: 'tool overhead',
          metric: 'oauth_client_credentials force_new, median',
          value: mine,
          unit: 'ms',
          ratio: mine / baseline,
          target: ['<=', 1.1],
          detail: `p99 ${percentile(samples.oauthMcp, 99).toFixed(2)} ms vs bare ${percentile(samples.bare, 99).toFixed(2)} ms`,
        }),
        row({
          bench: 'tool overhead',
          metric: 'oauth-mcp vs in-process grant (info)',
          value: mine,
          unit: 'ms',
          ratio: mine / inProcess,
        }),
        row({
          bench: 'tool overhead',
          metric: 'engine in process (no MCP) vs in-process grant (info)',
          value: engineMedian,
          unit: 'ms',
          ratio: engineMedian / inProcess,
          detail: `+${(engineMedian - inProcess).toFixed(2)} ms: guarded fetch, deviations, session record, store, secret registry`,
        }),
        row({
          bench: 'tool overhead',
          metric: 'new AS connections per grant',
          value: connectionsPerCall,
          ratio: connectionsPerCall,
          target: ['<=', 0.05],
          detail: 'all four clients; 1 would mean no keep-alive',
        }),
        row({
          bench: 'tool overhead',
          metric: 'cached path: AS round trips per call',
          value: cachedRoundTrips,
          ratio: cachedRoundTrips,
          target: ['<=', 0],
          detail: `${cachedCalls} calls without force_new`,
        }),
      ],
      samples,
    };
  } finally {
    await ours.close();
    await bare.close();
    await as.close();
    config.remove();
  }
}

function requestTotal(counts) {
  return Object.entries(counts)
    .filter(([key]) => !key.startsWith('grant:'))
    .reduce((sum, [, n]) => sum + n, 0);
}
