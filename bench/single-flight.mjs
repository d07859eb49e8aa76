// Benchmark 3, single-flight refresh: 100 concurrent oauth_refresh_token calls for one session through
// the MCP client; the authorization server must see exactly one refresh request.

import { startAuthorizationServer } from '../dist/demo/authorization-server.js';
import { CLI, connect, tempConfig } from './lib/processes.mjs';
import { signInThrough } from './lib/sign-in.mjs';
import { row, timed } from './lib/stats.mjs';

export async function singleFlight({ concurrency }) {
  const as = await startAuthorizationServer({ onServerError: () => undefined });
  const { clientId, clientSecret } = as.clients.confidential;
  const config = tempConfig({
    providers: { demo: { issuer: as.issuer, clientId, clientSecret } },
    store: { type: 'memory' },
  });
  const server = await connect([CLI, '--config', config.path, '--no-browser']);
  try {
    const session = await signInThrough(server);
    const refreshOnce = () => server.call('oauth_refresh_token', { session_id: session.session_id });
    await refreshOnce(); // warm-up: the first refresh also fetches the JWKS to check the ID token
    const single = await timed(refreshOnce);
    as.resetCounts();
    const results = [];
    const wall = await timed(async () => {
      const calls = Array.from({ length: concurrency }, () =>
        server.call('oauth_refresh_token', { session_id: session.session_id }),
      );
      results.push(...(await Promise.all(calls)));
    });
    const refreshRequests = as.counts()['grant:refresh_token'] ?? 0;
    const fingerprints = new Set(results.map((r) => r.structuredContent.session.access_token_sha256));
    return {
      rows: [
        row({
          bench: 'single-flight refresh',
          metric: `AS refresh requests for ${concurrency} concurrent calls`,
          value: refreshRequests,
          ratio: refreshRequests,
          target: ['<=', 1],
          detail: `${fingerprints.size} distinct access token(s) returned`,
        }),
        row({
          bench: 'single-flight refresh',
          metric: `${concurrency} concurrent calls vs one call, wall time`,
          value: wall,
          unit: 'ms',
          ratio: wall / single,
          detail: `one refresh ${single.toFixed(1)} ms`,
        }),
      ],
    };
  } finally {
    await server.close();
    await as.close();
    config.remove();
  }
}
