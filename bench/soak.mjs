// Benchmark 9, soak (in `npm run bench`, or alone with `npm run bench:soak`): 100,000 HTTP tool calls and
// 10,000 stdio tool calls against the built server; RSS and open file descriptors after the run must stay
// within 10% of their values after warm-up (no leak), with 0 errors; RSS is read after a full garbage
// collection, at its floor. `--quick` runs a tenth of it.

import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { callBody, callHeaders } from './http-mode.mjs';
import {
  CLI,
  connect,
  freePort,
  HEAP_PROBE_ENV,
  memoryAfterGc,
  startHttp,
  tempConfig,
} from './lib/processes.mjs';
import { printTable, row } from './lib/stats.mjs';

const TOOL = 'oauth_list_sessions';

/**
 * Calls before the baseline is taken: V8 grows its heap to a plateau first (about 10,000 HTTP calls here,
 * measured at 5,000-call steps), and growth up to the plateau is not a leak.
 */
const WARM_UP = { http: 10_000, stdio: 2_000 };

/** Open file descriptors of a process: sockets, pipes, files, timers' fds (Linux /proc). */
const openFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

async function snapshot(server) {
  return { ...(await memoryAfterGc(server)), fds: openFds(server.pid) };
}

function rows(transport, calls, warm, after, errors) {
  const within = (a, b) => a / b;
  return [
    row({
      bench: 'soak',
      metric: `${transport}: RSS after ${calls} calls vs after warm-up (after GC)`,
      value: after.rss,
      unit: 'MiB',
      ratio: within(after.rss, warm.rss),
      target: ['<=', 1.1],
      detail: `after warm-up ${warm.rss.toFixed(1)} MiB; live heap ${warm.heap.toFixed(1)} -> ${after.heap.toFixed(1)} MiB`,
    }),
    row({
      bench: 'soak',
      metric: `${transport}: open descriptors after the run vs after warm-up`,
      value: after.fds,
      ratio: within(after.fds, warm.fds),
      target: ['<=', 1.1],
      detail: `after warm-up ${warm.fds}`,
    }),
    row({ bench: 'soak', metric: `${transport}: errors`, value: errors, ratio: errors, target: ['<=', 0] }),
  ];
}

async function soakHttp(calls) {
  const server = await startHttp(await freePort(), { store: { type: 'memory' } }, HEAP_PROBE_ENV);
  const load = (amount) =>
    autocannon({
      url: server.url,
      method: 'POST',
      headers: callHeaders(TOOL),
      body: callBody(TOOL),
      connections: 10,
      amount,
    });
  try {
    await load(Math.max(calls / 10, WARM_UP.http));
    await settle();
    const warm = await snapshot(server);
    const result = await load(calls);
    await settle();
    const errors = result.non2xx + result.errors + result.timeouts;
    return rows('HTTP', calls, warm, await snapshot(server), errors);
  } finally {
    await server.stop();
  }
}

async function soakStdio(calls) {
  const config = tempConfig({ store: { type: 'memory' } });
  const server = await connect([CLI, '--config', config.path], HEAP_PROBE_ENV);
  let errors = 0;
  const run = async (n) => {
    for (let i = 0; i < n; i++) await server.call(TOOL).catch(() => errors++);
  };
  try {
    await run(Math.max(calls / 10, WARM_UP.stdio));
    await settle();
    const warm = await snapshot(server);
    await run(calls);
    await settle();
    return rows('stdio', calls, warm, await snapshot(server), errors);
  } finally {
    await server.close();
    config.remove();
  }
}

/** `scale` 1 is the full soak, 0.1 a tenth of it. */
export async function soak({ scale }) {
  return {
    rows: [
      ...(await soakHttp(Math.round(100_000 * scale))),
      ...(await soakStdio(Math.round(10_000 * scale))),
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { rows: results } = await soak({ scale: process.argv.includes('--quick') ? 0.1 : 1 });
  printTable(results);
  process.stdout.write(`\n${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (results.some((r) => r.pass === false)) process.exitCode = 1;
}
