// Benchmark 7, many sessions: per-operation time of get, set and keys (one principal's namespace) with
// 10, 1,000 and 10,000 stored sessions per backend (memory, file, redis), in process against the built
// stores, and with 10, 100 and 1,000 in the keychain (a private gnome-keyring, bench/lib/keychain-child.mjs)
// beside @napi-rs/keyring's own get and set. Target: the time at the largest size is at most twice the
// time at 10 (a cost that does not grow with the number of sessions).

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../dist/store/memory-store.js';
import { freePort, ROOT } from './lib/processes.mjs';
import { benchSession, filledFileStore } from './lib/sessions.mjs';
import { median, row, timed } from './lib/stats.mjs';

const SIZES = [10, 1_000, 10_000];
/** The keychain's practical size: gnome-keyring rewrites its whole file on every change. */
export const KEYCHAIN_SIZES = [10, 100, 1_000];
/** Ten sessions per user: `keys` lists one user's, as every HTTP-mode tool call does. */
const PER_PRINCIPAL = 10;
const KEY = 'bench-store-key-0123456789';

export async function manySessions({ ops }) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-sessions-'));
  const redis = await startRedis(dir).catch(() => undefined);
  const backends = {
    memory: async () => new MemoryStore({ reason: 'bench' }),
    file: (entries) => filledFileStore(join(dir, `tokens-${entries.size}.json`), entries),
    ...(redis ? { redis: (entries) => redis.open(entries) } : {}),
  };
  const rows = [];
  try {
    for (const [backend, open] of Object.entries(backends)) {
      const perOp = {};
      for (const size of SIZES) {
        const entries = sessions(size);
        const store = await open(entries);
        if (backend === 'memory') for (const [key, { value }] of entries) await store.set(key, value);
        perOp[size] = await measure(store, entries, ops, backend === 'file' ? 1 : 20);
        await store.close();
      }
      rows.push(...growthRows(backend, perOp, SIZES));
    }
    if (!redis)
      rows.push(
        row({ bench: 'many sessions', metric: 'redis', value: 0, detail: 'skipped: no redis-server' }),
      );
    return { rows };
  } finally {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One row per operation: its time at the largest size against the smallest (`perOp[size][op]` in ms),
 * with the target unless it is `information` only.
 */
function growthRows(backend, perOp, sizes, information = false) {
  const largest = sizes.at(-1);
  return Object.keys(perOp[largest]).map((op) =>
    row({
      bench: 'many sessions',
      metric: `${backend} ${op}, ${largest.toLocaleString('en-US')} ${information ? 'items' : 'sessions'}`,
      value: perOp[largest][op] * 1000,
      unit: 'µs',
      ratio: perOp[largest][op] / perOp[sizes[0]][op],
      ...(information ? {} : { target: ['<=', 2] }),
      detail: sizes.map((s) => `${s}: ${(perOp[s][op] * 1000).toFixed(1)} µs`).join(', '),
    }),
  );
}

/**
 * The keychain rows: bench/lib/keychain-child.mjs in a private D-Bus session with an unlocked
 * gnome-keyring (as scripts/test.sh sets one up), since the bench itself runs outside any keyring.
 */
export async function keychainSessions({ ops }) {
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!has('dbus-run-session') || !has('gnome-keyring-daemon'))
    return {
      rows: [
        row({ bench: 'many sessions', metric: 'keychain', value: 0, detail: 'skipped: no gnome-keyring' }),
      ],
    };
  const home = mkdtempSync(join(tmpdir(), 'oauth-mcp-keyring-'));
  for (const sub of ['data', 'runtime']) mkdirSync(join(home, sub), { mode: 0o700 });
  const script =
    'printf %s oauth-mcp-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$1" "$2" "$3"';
  const child = spawn(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      script,
      'sh',
      process.execPath,
      join(ROOT, 'bench/lib/keychain-child.mjs'),
      String(ops),
    ],
    {
      env: { ...process.env, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: join(home, 'runtime') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    err = (err + chunk).slice(-2_000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  rmSync(home, { recursive: true, force: true });
  if (code !== 0) {
    // dbus-daemon's own warnings (an fd limit it may not raise) are not the failure
    const why = err.split('\n').filter((line) => line.trim() && !line.startsWith('dbus-daemon['));
    throw new Error(`the keychain benchmark failed (${code}): ${why.join(' ').slice(-500)}`);
  }
  const { store, library } = JSON.parse(out);
  return {
    rows: [
      ...growthRows('keychain', store, KEYCHAIN_SIZES),
      ...growthRows('@napi-rs/keyring (gnome-keyring)', library, KEYCHAIN_SIZES, true),
    ],
  };
}

/**
 * Median milliseconds per operation (each sample times `batch` of them, so fast stores rise above the
 * timer's resolution): get and overwrite a random session, list one user's sessions.
 */
export async function measure(store, entries, ops, batch) {
  const keys = [...entries.keys()];
  const pick = () => keys[Math.floor(Math.random() * keys.length)];
  const prefix = `${keys[0].slice(0, keys[0].indexOf('session:'))}session:`;
  await store.get(pick()); // first use: connect, load
  const times = { get: [], set: [], keys: [] };
  const repeat = (op) => async () => {
    for (let j = 0; j < batch; j++) await op();
  };
  for (let i = 0; i < ops; i++) {
    times.get.push(await timed(repeat(() => store.get(pick()))));
    times.set.push(
      await timed(
        repeat(() => {
          const key = pick();
          return store.set(key, entries.get(key).value);
        }),
      ),
    );
    times.keys.push(
      await timed(
        repeat(async () => {
          if ((await store.keys(prefix)).length !== PER_PRINCIPAL) throw new Error('keys(prefix) is wrong');
        }),
      ),
    );
  }
  return Object.fromEntries(Object.entries(times).map(([op, list]) => [op, median(list) / batch]));
}

/** `count` realistic sessions (opaque tokens, ID token claims), ten per principal namespace. */
export function sessions(count) {
  const entries = new Map();
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const session = benchSession(i, now);
    const principal = Math.floor(i / PER_PRINCIPAL)
      .toString(16)
      .padStart(24, '0');
    entries.set(`u:${principal}:session:${session.session_id}`, { value: JSON.stringify(session) });
  }
  return entries;
}

export async function startRedis(dir) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve());
    setTimeout(() => reject(new Error('redis-server did not start')), 10_000).unref();
  });
  const { RedisStore } = await import('../dist/store/redis-store.js');
  let db = 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    key: KEY,
    async open(entries) {
      const store = new RedisStore({
        url: `redis://127.0.0.1:${port}/${db++}`,
        encryptionKey: KEY,
        reason: 'bench',
      });
      const list = [...entries];
      for (let i = 0; i < list.length; i += 100) {
        await Promise.all(list.slice(i, i + 100).map(([key, { value }]) => store.set(key, value)));
      }
      return store;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
