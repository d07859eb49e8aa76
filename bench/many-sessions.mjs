// Benchmark 7, many sessions: per-operation time of get, set and keys (one principal's namespace) with
// 10, 1,000 and 10,000 stored sessions, per backend (memory, file, redis), in process against the built
// stores. Target: the time at 10,000 is at most twice the time at 10 (a cost that does not grow with the
// number of sessions). The keychain is not measured here: no Secret Service on a headless bench machine.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../dist/store/file-store.js';
import { FileStoreCodec } from '../dist/store/file-store-codec.js';
import { MemoryStore } from '../dist/store/memory-store.js';
import { freePort } from './lib/processes.mjs';
import { benchSession } from './lib/sessions.mjs';
import { median, row, timed } from './lib/stats.mjs';

const SIZES = [10, 1_000, 10_000];
/** Ten sessions per user: `keys` lists one user's, as every HTTP-mode tool call does. */
const PER_PRINCIPAL = 10;
const KEY = 'bench-store-key-0123456789';

export async function manySessions({ ops }) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-sessions-'));
  const redis = await startRedis(dir).catch(() => undefined);
  const backends = {
    memory: async () => new MemoryStore({ reason: 'bench' }),
    file: async (entries) => {
      const path = join(dir, `tokens-${entries.size}.json`);
      const { text } = await new FileStoreCodec(path, undefined, () => {}).encode(entries, undefined);
      writeFileSync(path, text, { mode: 0o600 });
      const store = new FileStore({ path, reason: 'bench' });
      // The first write moves the old single document into one file per record, the layout measured.
      await store.delete('session:none');
      return store;
    },
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
      for (const op of ['get', 'set', 'keys']) {
        const small = perOp[SIZES[0]][op];
        const large = perOp[SIZES.at(-1)][op];
        rows.push(
          row({
            bench: 'many sessions',
            metric: `${backend} ${op}, 10,000 sessions`,
            value: large * 1000,
            unit: 'µs',
            ratio: large / small,
            target: ['<=', 2],
            detail: SIZES.map((s) => `${s}: ${(perOp[s][op] * 1000).toFixed(1)} µs`).join(', '),
          }),
        );
      }
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
 * Median milliseconds per operation (each sample times `batch` of them, so fast stores rise above the
 * timer's resolution): get and overwrite a random session, list one user's sessions.
 */
async function measure(store, entries, ops, batch) {
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
function sessions(count) {
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
