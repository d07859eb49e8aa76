// Benchmark 8, several instances on redis: one and two oauth-mcp HTTP instances sharing one redis store,
// the same client load (10 connections) split evenly across the instances; throughput and p99 per
// instance count (information: on a 2-core machine the instances, redis and the load share the cores).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { callBody, callHeaders, expectToolResult } from './http-mode.mjs';
import { freePort, startHttp } from './lib/processes.mjs';
import { median, row } from './lib/stats.mjs';
import { startRedis } from './many-sessions.mjs';

const TOOL = 'oauth_list_sessions';

export async function multiInstance({ rounds, seconds, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-instances-'));
  const redis = await startRedis(dir);
  const config = {
    store: { type: 'redis', url: redis.url, key: redis.key },
    http: { legacySessions: 'stateless' },
  };
  const instances = [await startHttp(await freePort(), config), await startHttp(await freePort(), config)];
  const target = (server) => ({ url: server.url, headers: callHeaders(TOOL), body: callBody(TOOL) });
  try {
    for (const server of instances) await expectToolResult(target(server));
    const runs = { 1: [], 2: [] };
    for (let round = 0; round < rounds; round++) {
      for (const count of round % 2 === 0 ? [1, 2] : [2, 1]) {
        const used = instances.slice(0, count);
        const results = await Promise.all(
          used.map((server) =>
            autocannon({
              ...target(server),
              method: 'POST',
              connections: Math.ceil(connections / count),
              duration: seconds,
            }),
          ),
        );
        runs[count].push({
          rps: results.reduce((sum, r) => sum + r.requests.average, 0),
          p99: Math.max(...results.map((r) => r.latency.p99)),
          failures: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
        });
      }
    }
    const rps = (count) => median(runs[count].map((r) => r.rps));
    const failures = [...runs[1], ...runs[2]].reduce((sum, r) => sum + r.failures, 0);
    const detail = `${rounds} x ${seconds} s rounds, ${connections} connections split across the instances`;
    return {
      rows: [
        row({
          bench: 'redis instances',
          metric: '1 instance tools/call',
          value: rps(1),
          unit: 'req/s',
          detail,
        }),
        row({
          bench: 'redis instances',
          metric: '2 instances tools/call',
          value: rps(2),
          unit: 'req/s',
          ratio: median(runs[2].map((r, i) => r.rps / runs[1][i].rps)),
          detail: `non-2xx or errors: ${failures}`,
        }),
        row({
          bench: 'redis instances',
          metric: '1 instance p99',
          value: median(runs[1].map((r) => r.p99)),
          unit: 'ms',
        }),
        row({
          bench: 'redis instances',
          metric: '2 instances p99',
          value: median(runs[2].map((r) => r.p99)),
          unit: 'ms',
        }),
      ],
    };
  } finally {
    for (const server of instances) await server.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
