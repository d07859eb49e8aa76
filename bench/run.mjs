// `npm run bench`: runs every benchmark against the built dist/, prints one table and writes the
// figures to bench/results/<time>.json. `--quick` runs fewer rounds (a smoke test, not a claim).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ALL_TOOLS } from '../dist/tools/index.js';
import { coldStart } from './cold-start.mjs';
import { context } from './context.mjs';
import { httpMode } from './http-mode.mjs';
import { ROOT } from './lib/processes.mjs';
import { printTable, row } from './lib/stats.mjs';
import { keychainSessions, manySessions } from './many-sessions.mjs';
import { manyUsers } from './many-users.mjs';
import { memory } from './memory.mjs';
import { multiInstance } from './multi-instance.mjs';
import { redisUsers } from './redis-users.mjs';
import { singleFlight } from './single-flight.mjs';
import { soak } from './soak.mjs';
import { toolOverhead } from './tool-overhead.mjs';

const quick = process.argv.includes('--quick');
const size = quick
  ? {
      coldStartRuns: 3,
      calls: 30,
      sessions: 1000,
      httpRounds: 2,
      httpSeconds: 1,
      storeOps: 5,
      soakScale: 0.1,
      redisUsers: 2_000,
    }
  : {
      coldStartRuns: 21,
      calls: 300,
      sessions: 1000,
      httpRounds: 7,
      httpSeconds: 3,
      storeOps: 30,
      soakScale: 1,
      redisUsers: 10_000,
    };
const tools = new Set(ALL_TOOLS.map((tool) => tool.name));

const benches = [
  ['context', () => context()],
  ['cold start', () => coldStart({ runs: size.coldStartRuns })],
  ['tool overhead', () => toolOverhead({ calls: size.calls })],
  ['memory', () => memory({ sessions: size.sessions })],
  ['many sessions', () => manySessions({ ops: size.storeOps })],
  ['many sessions (keychain)', () => keychainSessions({ ops: size.storeOps })],
];
const rows = [];
// benchmarks of features a build may lack are reported as skipped, not failed
const optional = [
  [
    'single-flight refresh',
    tools.has('oauth_refresh_token'),
    'oauth_refresh_token',
    () => singleFlight({ concurrency: 100 }),
  ],
  [
    'HTTP mode',
    existsSync(join(ROOT, 'dist/http/app.js')),
    'the HTTP transport',
    () => httpMode({ rounds: size.httpRounds, seconds: size.httpSeconds, connections: 10 }),
  ],
  [
    'many users',
    existsSync(join(ROOT, 'dist/http/app.js')),
    'the HTTP transport',
    () => manyUsers({ users: 1000, rounds: size.httpRounds, seconds: size.httpSeconds, connections: 10 }),
  ],
  [
    'redis instances',
    existsSync(join(ROOT, 'dist/http/app.js')) && spawnSync('redis-server', ['--version']).status === 0,
    'the HTTP transport or redis-server',
    () => multiInstance({ rounds: size.httpRounds, seconds: size.httpSeconds, connections: 10 }),
  ],
  [
    'redis users',
    existsSync(join(ROOT, 'dist/http/app.js')) && spawnSync('redis-server', ['--version']).status === 0,
    'the HTTP transport or redis-server',
    () => redisUsers({ users: size.redisUsers, connections: 16 }),
  ],
  [
    'soak',
    existsSync(join(ROOT, 'dist/http/app.js')),
    'the HTTP transport',
    () => soak({ scale: size.soakScale }),
  ],
];
for (const [name, present, feature, run] of optional) {
  if (present) benches.push([name, run]);
  else
    rows.push(row({ bench: name, metric: 'skipped', value: 0, detail: `${feature} is not in this build` }));
}

const raw = {};
const started = Date.now();
for (const [name, run] of benches) {
  process.stderr.write(`bench: ${name}...\n`);
  try {
    const result = await run();
    rows.push(...result.rows);
    if (result.samples) raw[name] = result.samples;
  } catch (error) {
    rows.push(
      row({ bench: name, metric: 'FAILED', value: Number.NaN, detail: error.message.split('\n')[0] }),
    );
    process.exitCode = 1;
  }
}

printTable(rows);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const environment = {
  node: process.version,
  cpus: cpus().length,
  /** The machine's load when the run ended: ratios are same-run, but noisy runs show here. */
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  quick,
  seconds: (Date.now() - started) / 1000,
};
writeFileSync(file, `${JSON.stringify({ environment, rows, samples: raw }, null, 2)}\n`);
process.stdout.write(`\nwritten to ${file} (${environment.seconds.toFixed(0)} s)\n`);
const missed = rows.filter((r) => r.pass === false);
if (missed.length > 0)
  process.stdout.write(`targets missed: ${missed.map((r) => `${r.bench}: ${r.metric}`).join('; ')}\n`);
