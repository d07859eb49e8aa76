// RedisStore against a real redis-server: the TokenStore contract, sealing at rest, several instances, outages.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { deriveKey, seal } from '../../src/store/sealing.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { describeTokenStoreContract } from './contract.js';

const redis = useRedisServer();
const KEY = 'correct horse battery staple';
const quietLogger = createLogger({ write: () => undefined });

/** A fresh key prefix per store, so tests sharing one redis-server never see each other's keys. */
function newPrefix(): string {
  return `t${randomBytes(6).toString('hex')}:`;
}

function newStore(
  options: { keyPrefix?: string; encryptionKey?: string; onWarning?: (message: string) => void } = {},
): RedisStore {
  return new RedisStore({
    url: redis().url,
    encryptionKey: options.encryptionKey ?? KEY,
    keyPrefix: options.keyPrefix ?? newPrefix(),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
}

type Raw = Awaited<ReturnType<typeof rawClient>>;

async function rawKeys(raw: Raw, prefix: string): Promise<string[]> {
  return raw.keys(`${prefix}*`);
}

/** Every string value under the prefix, as a reader of redis sees them. */
async function rawValues(raw: Raw, prefix: string): Promise<string[]> {
  const values: string[] = [];
  for (const key of await rawKeys(raw, prefix)) {
    if ((await raw.type(key)) === 'string') values.push((await raw.get(key)) as string);
    else values.push(...Object.values(await raw.hGetAll(key)));
  }
  return values;
}

/** The string keys and their values, to write back later as an attacker with a copy would. */
async function rawSnapshot(raw: Raw, prefix: string): Promise<[string, string][]> {
  const snapshot: [string, string][] = [];
  for (const key of await rawKeys(raw, prefix))
    if ((await raw.type(key)) === 'string') snapshot.push([key, (await raw.get(key)) as string]);
  return snapshot;
}

/** Which data key holds `key`: the one whose removal makes the store stop returning `value`. */
async function dataKeyHolding(raw: Raw, prefix: string, store: RedisStore, key: string, value: string) {
  for (const [name, text] of await rawSnapshot(raw, prefix)) {
    if (!name.startsWith(`${prefix}k:`)) continue;
    const pttl = await raw.pTTL(name);
    await raw.del(name);
    const gone = (await store.get(key)) === undefined;
    await raw.set(name, text, pttl > 0 ? { PX: pttl } : {});
    if (gone && (await store.get(key)) === value) return name;
  }
  throw new Error(`no data key holds ${key}`);
}

/** An index field of `index` that is not `key`'s (removing it leaves `key` readable). */
async function fieldNotOf(raw: Raw, index: string, store: RedisStore, key: string): Promise<string> {
  const fields = await raw.hGetAll(index);
  for (const [field, text] of Object.entries(fields)) {
    await raw.hDel(index, field);
    const stillThere = (await store.get(key)) !== undefined;
    await raw.hSet(index, field, text);
    if (stillThere) return field;
  }
  throw new Error(`every field of ${index} is ${key}'s`);
}

async function rawClient() {
  const client = createClient({ url: redis().url });
  await client.connect();
  return client;
}

describeTokenStoreContract('RedisStore', async () => ({ store: newStore(), cleanup: async () => {} }));

describe('RedisStore', () => {
  it("lists a user's keys from the user's own index, dropping expired ones", async () => {
    const store = newStore();
    try {
      await store.set('u:aa:session:new', 'v');
      await store.set('u:ab:session:other', 'v');
      await store.set('u:aa:flow:short', 'v', { ttlSeconds: 0.05 });
      await sleep(100);
      expect(await store.keys('u:aa:session:')).toEqual(['u:aa:session:new']);
      expect(await store.keys('u:aa:flow:')).toEqual([]);
      expect((await store.keys('u:a')).sort()).toEqual(['u:aa:session:new', 'u:ab:session:other']);
      await store.delete('u:aa:session:new');
      expect(await store.keys('u:aa:')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps values sealed at rest: redis never holds the plaintext', async () => {
    const prefix = newPrefix();
    const store = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    try {
      await store.set('session:ses_1', '{"access_token":"super-secret-access-token"}');
      const values = await rawValues(raw, prefix);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) expect(value).not.toContain('super-secret');
      const stored = values.find((value) => value.includes('"iv"') && !value.includes('"alg"'));
      expect(JSON.parse(stored as string)).toMatchObject({
        v: 2,
        iv: expect.any(String),
        tag: expect.any(String),
      });
      expect(store.info).toMatchObject({ backend: 'redis', encrypted: true });
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('names no handle, state, principal or session id in a redis key: names are keyed MACs', async () => {
    const prefix = newPrefix();
    const store = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    const handle = randomBytes(32).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    const principal = createHash('sha256').update('https://issuer.example\0alice').digest('hex').slice(0, 24);
    try {
      await store.set(`flowstart:${handle}`, '{}', { ttlSeconds: 60 });
      await store.set(`flowstate:${state}`, '{}', { ttlSeconds: 60 });
      await store.set(`u:${principal}:session:ses_secretid`, '{}');
      const release = await store.lock(`u:${principal}:refresh:ses_secretid`);
      const names = (await rawKeys(raw, prefix)).join('\n');
      await release();
      for (const part of [
        handle,
        state,
        principal,
        'ses_secretid',
        'flowstart',
        'flowstate',
        'session',
        'refresh',
      ])
        expect(names).not.toContain(part);
      // A second instance with the same key derives the same names.
      const other = newStore({ keyPrefix: prefix });
      expect(await other.get(`flowstart:${handle}`)).toBe('{}');
      expect(await other.keys(`u:${principal}:`)).toEqual([`u:${principal}:session:ses_secretid`]);
      await other.close();
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('refuses a sealed value copied under another key', async () => {
    const prefix = newPrefix();
    const store = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    try {
      await store.set('session:victim', 'victim tokens');
      await store.set('session:attacker', 'attacker tokens');
      const victim = await dataKeyHolding(raw, prefix, store, 'session:victim', 'victim tokens');
      const attacker = await dataKeyHolding(raw, prefix, store, 'session:attacker', 'attacker tokens');
      await raw.set(attacker, (await raw.get(victim)) as string);
      await expect(store.get('session:attacker')).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(await store.get('session:victim')).toBe('victim tokens');
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('does not bring back a deleted key whose old sealed value is written back (a revoked session)', async () => {
    const prefix = newPrefix();
    const warnings: string[] = [];
    const store = newStore({ keyPrefix: prefix, onWarning: (m) => warnings.push(m) });
    const raw = await rawClient();
    try {
      await store.set('u:aa:session:revoked', 'old tokens');
      const snapshot = await rawSnapshot(raw, prefix);
      await store.delete('u:aa:session:revoked');
      // The value alone, written back: no index entry names it.
      for (const [key, value] of snapshot)
        if (!key.includes(':x:') && !key.includes(':meta:')) await raw.set(key, value);
      expect(await store.get('u:aa:session:revoked')).toBeUndefined();
      expect(await store.keys('u:aa:')).toEqual([]);
      expect(warnings.join('\n')).toMatch(/ignored a value that no index entry names/);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('refuses an older value written back over a newer one of the same key', async () => {
    const prefix = newPrefix();
    const store = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    try {
      await store.set('session:s', 'before revocation');
      const data = await dataKeyHolding(raw, prefix, store, 'session:s', 'before revocation');
      const old = (await raw.get(data)) as string;
      await store.set('session:s', 'after a refresh');
      await raw.set(data, old);
      await expect(store.get('session:s')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('written back from an older copy'),
      });
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it("skips an index entry it cannot read with a warning and lists the user's other keys", async () => {
    const prefix = newPrefix();
    const warnings: string[] = [];
    const store = newStore({ keyPrefix: prefix, onWarning: (m) => warnings.push(m) });
    const raw = await rawClient();
    try {
      await store.set('u:aa:session:good', 'a');
      await store.set('u:aa:session:damaged', 'b');
      const [index] = (await rawKeys(raw, prefix)).filter((key) => key.startsWith(`${prefix}x:`));
      const damaged = await fieldNotOf(raw, index as string, store, 'u:aa:session:good');
      await raw.hSet(index as string, damaged, '{"v":2,"iv":"AAAA","tag":"AAAA","data":"AAAA"}');
      expect(await store.keys('u:aa:session:')).toEqual(['u:aa:session:good']);
      expect(warnings.join('\n')).toMatch(/skipped an index entry it cannot read/);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('gives a value with a ttl the same expiry in redis', async () => {
    const prefix = newPrefix();
    const store = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    try {
      await store.set('session:expiring', 'x', { ttlSeconds: 120 });
      const data = await dataKeyHolding(raw, prefix, store, 'session:expiring', 'x');
      const pttl = await raw.pTTL(data);
      expect(pttl).toBeGreaterThan(110_000);
      expect(pttl).toBeLessThanOrEqual(120_000);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('moves values of the first layout (names in clear) to keyed names once, keeping their expiry', async () => {
    const prefix = newPrefix();
    const first = newStore({ keyPrefix: prefix });
    const raw = await rawClient();
    try {
      await first.set('session:warm', 'x'); // writes the KDF header and key check
      const header = JSON.parse((await raw.get(`${prefix}meta:kdf`)) as string) as { salt: string };
      const key = await deriveKey(KEY, Buffer.from(header.salt, 'base64'));
      const sealFirst = (name: string, value: string) =>
        JSON.stringify({ v: 1, ...seal(key, Buffer.from(`oauth-mcp-redis:v1:${name}`), value) });
      await raw.set(`${prefix}d:u:aa:session:old`, sealFirst('u:aa:session:old', 'old session'));
      await raw.set(`${prefix}d:flowstart:handle123`, sealFirst('flowstart:handle123', 'flow'), {
        PX: 60_000,
      });
      await raw.sAdd(`${prefix}i:u:aa:`, 'u:aa:session:old');
      await raw.del(`${prefix}meta:layout`);
      const upgraded = newStore({ keyPrefix: prefix });
      expect(await upgraded.get('u:aa:session:old')).toBe('old session');
      expect(await upgraded.keys('u:aa:')).toEqual(['u:aa:session:old']);
      expect(await upgraded.get('flowstart:handle123')).toBe('flow');
      const names = await rawKeys(raw, prefix);
      expect(
        names.filter((name) => name.startsWith(`${prefix}d:`) || name.startsWith(`${prefix}i:`)),
      ).toEqual([]);
      expect(names.join('\n')).not.toContain('handle123');
      const moved = await dataKeyHolding(raw, prefix, upgraded, 'flowstart:handle123', 'flow');
      expect(await raw.pTTL(moved)).toBeGreaterThan(50_000);
      await upgraded.close();
    } finally {
      await raw.close();
      await first.close();
    }
  });

  it('says which key to set when the store key does not decrypt the data', async () => {
    const prefix = newPrefix();
    const writer = newStore({ keyPrefix: prefix });
    await writer.set('session:a', 'x');
    const reader = newStore({ keyPrefix: prefix, encryptionKey: 'a different passphrase!' });
    try {
      await expect(reader.get('session:a')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('OAUTH_MCP_STORE_KEY'),
      });
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('shares values, expiry and locks between instances on one redis', async () => {
    const one = newStore({ keyPrefix: 'shared:' });
    const two = newStore({ keyPrefix: 'shared:' });
    try {
      await one.set('flow:f1', 'pending', { ttlSeconds: 60 });
      expect(await two.get('flow:f1')).toBe('pending');
      expect(await two.keys('flow:')).toEqual(['flow:f1']);
      const release = await one.lock('refresh:ses_1');
      await expect(two.lock('refresh:ses_1', { waitMs: 150 })).rejects.toMatchObject({
        code: 'store_unavailable',
      });
      await release();
      const again = await two.lock('refresh:ses_1', { waitMs: 500 });
      await again();
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('fails fast with store_unavailable when redis goes away, and after close', async () => {
    const { startRedisServer } = await import('../helpers/redis-server.js');
    const own = await startRedisServer();
    const store = new RedisStore({ url: own.url, encryptionKey: KEY, timeoutMs: 1_000 });
    await store.set('session:a', 'kept');
    await own.stop();
    const started = performance.now();
    await expect(store.get('session:a')).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('store.url'),
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    await store.close();
    await expect(store.get('session:a')).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('does not show redis credentials in info', () => {
    const store = new RedisStore({ url: 'redis://user:hunter2@cache.internal:6380/2', encryptionKey: KEY });
    expect(store.info.location).toBe('redis://cache.internal:6380/2');
  });

  it('is opened by openStore only with a url and a store key', async () => {
    await expect(
      openStore({ config: { type: 'redis', url: redis().url }, logger: quietLogger, env: {} }),
    ).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('OAUTH_MCP_STORE_KEY'),
    });
    await expect(
      openStore({ config: { type: 'redis', key: KEY }, logger: quietLogger, env: {} }),
    ).rejects.toMatchObject({ code: 'not_configured', message: expect.stringContaining('store.url') });
    const store = await openStore({
      config: { type: 'redis', url: redis().url, key: KEY },
      logger: quietLogger,
      env: {},
    });
    try {
      await store.set('client:x', 'y');
      expect(await store.get('client:x')).toBe('y');
    } finally {
      await store.delete('client:x');
      await store.close();
    }
  });
});
