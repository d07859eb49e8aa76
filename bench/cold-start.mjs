// Benchmark 1, cold start: spawn to `initialize` response over stdio, oauth-mcp vs a bare SDK v2
// server with one zod tool (bench/servers/bare-stdio.mjs), interleaved, medians.

import { join } from 'node:path';
import { CLI, ROOT, tempConfig, timeToInitialize } from './lib/processes.mjs';
import { interleave, median, row } from './lib/stats.mjs';

export async function coldStart({ runs }) {
  const config = tempConfig({
    providers: {
      work: { issuer: 'http://127.0.0.1:9', clientId: 'bench', clientSecret: 'bench-secret-0123456789' },
    },
    store: { type: 'memory' },
  });
  const bare = join(ROOT, 'bench/servers/bare-stdio.mjs');
  try {
    // one unmeasured start each warms the OS file cache
    await timeToInitialize([bare]);
    await timeToInitialize([CLI, '--config', config.path]);
    const samples = await interleave(runs, {
      bare: () => timeToInitialize([bare]),
      oauthMcp: () => timeToInitialize([CLI, '--config', config.path]),
    });
    const baseline = median(samples.bare);
    const ours = median(samples.oauthMcp);
    return {
      rows: [
        row({ bench: 'cold start', metric: 'bare SDK server, median', value: baseline, unit: 'ms' }),
        row({
          bench: 'cold start',
          metric: 'oauth-mcp, median',
          value: ours,
          unit: 'ms',
          ratio: ours / baseline,
          target: ['<=', 1.1],
          detail: `${runs} runs each, interleaved`,
        }),
      ],
      samples,
    };
  } finally {
    config.remove();
  }
}
