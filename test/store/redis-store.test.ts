// RedisStore against a real redis-server: the TokenStore contract, sealing at rest, several instances, outages.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { describeTokenStoreContract } from './contract.js';

const redis = useRedisServer();
const KEY = 'correct horse battery staple';
const quietLogger = createLogger({ write: () => undefined });

/** A fresh key prefix per store, so tests sharing one redis-server never see each other's keys. */
function newStore(options: { keyPrefix?: string; encryptionKey?: string } = {}): RedisStore {
  return new RedisStore({
    url: redis().url,
    encryptionKey: options.encryptionKey ?? KEY,
    keyPrefix: options.keyPrefix ?? `t${randomBytes(6).toString('hex')}:`,
  });
}

async function rawClient() {
  const client = createClient({ url: redis().url });
  await client.connect();
  return client;
}

describeTokenStoreContract('RedisStore', async () => ({ store: newStore(), cleanup: async () => {} }));

describe('RedisStore', () => {
  it("lists a user's keys from the user's index: keys written before the index are found, expired ones dropped", async () => {
    const prefix = `idx${randomBytes(4).toString('hex')}:`;
    const store = newStore({ keyPrefix: prefix });
    await store.set('u:aa:session:new', 'v');
    await store.set('u:ab:session:other', 'v');
    await store.set('u:aa:flow:short', 'v', { ttlSeconds: 0.05 });
    const raw = await rawClient();
    try {
      // Written by a version without the index, then the index of u:aa: forgotten: a scan finds them once.
      await raw.set(
        `${prefix}d:u:aa:session:old`,
        await (raw.get(`${prefix}d:u:aa:session:new`) as Promise<string>),
      );
      await raw.del([`${prefix}i:u:aa:`, `${prefix}i:u:aa::complete`]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await store.keys('u:aa:session:')).sort()).toEqual(['u:aa:session:new', 'u:aa:session:old']);
      expect(await store.keys('u:aa:flow:')).toEqual([]);
      expect((await raw.sMembers(`${prefix}i:u:aa:`)).sort()).toEqual([
        'u:aa:session:new',
        'u:aa:session:old',
      ]);
      await store.delete('u:aa:session:old');
      expect(await store.keys('u:aa:')).toEqual(['u:aa:session:new']);
      expect((await store.keys('u:a')).sort()).toEqual(['u:aa:session:new', 'u:ab:session:other']);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('keeps values sealed at rest: redis never holds the plaintext', async () => {
    const store = newStore({ keyPrefix: 'sealed:' });
    await store.set('session:ses_1', '{"access_token":"super-secret-access-token"}');
    const raw = await rawClient();
    try {
      const stored = await raw.get('sealed:d:session:ses_1');
      expect(stored).toEqual(expect.any(String));
      expect(stored).not.toContain('super-secret');
      expect(JSON.parse(stored as string)).toMatchObject({
        v: 1,
        iv: expect.any(String),
        tag: expect.any(String),
      });
      expect(store.info).toMatchObject({ backend: 'redis', encrypted: true });
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('refuses a sealed value copied under another key', async () => {
    const store = newStore({ keyPrefix: 'moved:' });
    await store.set('session:victim', 'victim tokens');
    const raw = await rawClient();
    try {
      await raw.set('moved:d:session:attacker', (await raw.get('moved:d:session:victim')) as string);
      await expect(store.get('session:attacker')).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(await store.get('session:victim')).toBe('victim tokens');
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('says which key to set when the store key does not decrypt the data', async () => {
    const writer = newStore({ keyPrefix: 'rekeyed:' });
    await writer.set('session:a', 'x');
    const reader = newStore({ keyPrefix: 'rekeyed:', encryptionKey: 'a different passphrase!' });
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
