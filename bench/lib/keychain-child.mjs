// Run by bench/many-sessions.mjs inside a private D-Bus session with an unlocked gnome-keyring: the built
// KeychainStore's get, set and keys at each keychain size, and @napi-rs/keyring's own get and set on the
// same collection (is the growth ours or the keyring's?); prints `{ store, library }` (ms per op) as JSON.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeychainStore } from '../../dist/store/keychain-store.js';
import { KEYCHAIN_SIZES, measure, sessions } from '../many-sessions.mjs';
import { median, timed } from './stats.mjs';

const SERVICE = 'oauth-mcp-bench';
const ops = Number(process.argv[2]);
const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring');
const entry = (account) => new Entry(SERVICE, account, { linux: { store: 'secret-service' } });

const lockDir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-locks-'));
const store = new KeychainStore({ lockDir, reason: 'bench', service: SERVICE });
const all = [...sessions(KEYCHAIN_SIZES.at(-1))];
const result = { store: {}, library: {} };
try {
  let stored = 0;
  for (const size of KEYCHAIN_SIZES) {
    // The collection grows from one size to the next, as a user's keychain would.
    for (; stored < size; stored++) await store.set(all[stored][0], all[stored][1].value);
    const entries = new Map(all.slice(0, size));
    result.store[size] = await measure(store, entries, ops, 1);
    result.library[size] = await library([...entries.keys()], ops);
  }
} finally {
  await store.close();
  rmSync(lockDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result));

/** The library alone, in this process: read a stored item, overwrite one item of the same size. */
async function library(keys, ops) {
  const pick = () => keys[Math.floor(Math.random() * keys.length)];
  const text = entry(keys[0]).getPassword();
  const times = { get: [], set: [] };
  for (let i = 0; i < ops; i++) {
    times.get.push(await timed(() => entry(pick()).getPassword()));
    times.set.push(await timed(() => entry('~bench/library-item').setPassword(text)));
  }
  return { get: median(times.get), set: median(times.set) };
}
