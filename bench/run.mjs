// `npm run bench`: runs every benchmark against the built dist/, prints one table and writes the
// figures to bench/results/<time>.json. `--quick` runs fewer rounds (a smoke test, not a claim).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ALL_TOOLS } from '../dist/tools/index.js';
import { coldStart } from './cold-start.mjs';
import { httpMode } from './http-mode.mjs';
import { ROOT } from './lib/processes.mjs';
import { printTable, row } from './lib/stats.mjs';
import { memory } from './memory.mjs';
import { singleFlight } from './single-flight.mjs';
import { toolOverhead } from './tool-overhead.mjs';

const quick = process.argv.includes('--quick');
const size = quick
  ? { coldStartRuns: 3, calls: 30, sessions: 1000, httpRounds: 2, httpSeconds: 1 }
  : { coldStartRuns: 15, calls: 300, sessions: 1000, httpRounds: 5, httpSeconds: 4 };
const tools = new Set(ALL_TOOLS.map((tool) => tool.name));

const benches = [
  ['cold start', () => coldStart({ runs: size.coldStartRuns })],
  ['tool overhead', () => toolOverhead({ calls: size.calls })],
  ['memory', () => memory({ sessions: size.sessions })],
];
if (tools.has('oauth_refresh_token')) {
  benches.push(['single-flight refresh', () => singleFlight({ concurrency: 100 })]);
}
if (existsSync(join(ROOT, 'dist/http/app.js'))) {
  benches.push([
    'HTTP mode',
    () => httpMode({ rounds: size.httpRounds, seconds: size.httpSeconds, connections: 10 }),
  ]);
}

const rows = [];
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
for (const [name, tool] of [['single-flight refresh', 'oauth_refresh_token']]) {
  if (!tools.has(tool))
    rows.push(row({ bench: name, metric: 'skipped', value: 0, detail: `${tool} is not in this build` }));
}

printTable(rows);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const environment = {
  node: process.version,
  cpus: cpus().length,
  quick,
  seconds: (Date.now() - started) / 1000,
};
writeFileSync(file, `${JSON.stringify({ environment, rows, samples: raw }, null, 2)}\n`);
process.stdout.write(`\nwritten to ${file} (${environment.seconds.toFixed(0)} s)\n`);
const missed = rows.filter((r) => r.pass === false);
if (missed.length > 0)
  process.stdout.write(`targets missed: ${missed.map((r) => `${r.bench}: ${r.metric}`).join('; ')}\n`);
