// Benchmark 10, many users on redis (HTTP mode): 10,000 distinct bearer principals each store a machine
// token (oauth_client_credentials) in one instance backed by redis. The instance's RSS after 10,000 users
// (after a full garbage collection) must stay within 30% of its RSS after 1,000 (issue 22): per-principal
// state is bounded, sessions live in redis. The live heap is shown beside it; redis must hold every
// user's record.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HEAP_PROBE_ENV, memoryAfterGc, startHttp } from './lib/processes.mjs';
import { row } from './lib/stats.mjs';
import { startRedis } from './many-sessions.mjs';
import { callEach, startBearerIssuer } from './many-users.mjs';

const CHECKPOINT = 1_000;
/** Passes over the first users' cached tokens before the baseline, so every path has run and been compiled. */
const WARM_UP_PASSES = 2;

export async function redisUsers({ users, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-redis-users-'));
  const redis = await startRedis(dir);
  const port = await freePort();
  const issuer = await startBearerIssuer(port);
  const server = await startHttp(
    port,
    {
      ...issuer.config,
      store: { type: 'redis', url: redis.url, key: redis.key },
      http: { ...issuer.config.http, legacySessions: 'stateless' },
    },
    HEAP_PROBE_ENV,
  );
  try {
    const first = await issuer.tokens(CHECKPOINT);
    for (let pass = 0; pass <= WARM_UP_PASSES; pass++) await callEach(server.url, first, connections);
    const baseline = await memoryAfterGc(server);
    for (let from = CHECKPOINT; from < users; from += CHECKPOINT) {
      await callEach(server.url, await issuer.tokens(Math.min(CHECKPOINT, users - from), from), connections);
    }
    const after = await memoryAfterGc(server);
    const stored = usersInRedis(redis.url);
    const count = (n) => n.toLocaleString('en-US');
    return {
      rows: [
        row({
          bench: 'redis users',
          metric: `RSS of one instance after ${count(users)} users vs after ${count(CHECKPOINT)}`,
          value: after.rss,
          unit: 'MiB',
          ratio: after.rss / baseline.rss,
          target: ['<=', 1.3],
          detail: `after ${count(CHECKPOINT)} users (and ${WARM_UP_PASSES} more calls each) ${baseline.rss.toFixed(1)} MiB; ${connections} calls at a time`,
        }),
        row({
          bench: 'redis users',
          metric: `live heap after ${count(users)} users vs after ${count(CHECKPOINT)}`,
          value: after.heap,
          unit: 'MiB',
          ratio: after.heap / baseline.heap,
          detail: `after ${count(CHECKPOINT)} users ${baseline.heap.toFixed(1)} MiB (what the process keeps; RSS also holds pages V8 has not returned)`,
        }),
        row({
          bench: 'redis users',
          metric: 'users with a record in redis',
          value: stored,
          ratio: stored / users,
          target: ['>=', 1],
          detail: `of ${count(users)} users`,
        }),
      ],
    };
  } finally {
    await server.stop();
    await issuer.as.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Namespaces in redis: one index hash per namespace (`oauth-mcp:x:<keyed MAC>`; names tell a reader no
 * principal). The un-namespaced one, when machine-wide keys exist, counts too: at most one more than users.
 */
function usersInRedis(url) {
  const scan = spawnSync('redis-cli', ['-u', url, '--scan', '--pattern', 'oauth-mcp:x:*'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (scan.status !== 0) throw new Error(`redis-cli --scan failed: ${scan.stderr}`);
  return new Set(scan.stdout.split('\n').filter(Boolean)).size;
}
