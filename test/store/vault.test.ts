// The vault on real stores: each principal's records in its own namespace (nothing reaches or removes
// another's), a listing that survives one unreadable record, and sessions that carry their expiry.

import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import type { PendingFlow, StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const redis = useRedisServer();

function session(id: string, extra: Partial<StoredSession> = {}): StoredSession {
  const now = new Date().toISOString();
  return {
    v: 1,
    session_id: id,
    provider: 'demo',
    issuer: 'https://issuer.example',
    client_id: 'c',
    grant: 'authorization_code',
    scope: 'openid',
    token_type: 'Bearer',
    access_token: `at-${id}-${randomBytes(8).toString('hex')}`,
    refresh_token: `rt-${id}-${randomBytes(8).toString('hex')}`,
    created_at: now,
    updated_at: now,
    ...extra,
  };
}

function flow(id: string): PendingFlow {
  return {
    v: 1,
    flow_id: id,
    kind: 'authorization_code',
    provider: 'demo',
    created_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 600_000).toISOString(),
    data: {},
  };
}

function redisStore(prefix: string, onWarning?: (message: string) => void): RedisStore {
  return new RedisStore({
    url: redis().url,
    encryptionKey: 'vault test key',
    keyPrefix: prefix,
    ...(onWarning ? { onWarning } : {}),
  });
}

describe('Vault namespaces', () => {
  it("deletes a session, flow or client only in the caller's own namespace", async () => {
    const store = new MemoryStore();
    const root = new Vault(store);
    const alice = root.forPrincipal('https://issuer.example alice');
    const bob = root.forPrincipal('https://issuer.example bob');
    // The same ids in three namespaces.
    for (const vault of [root, alice, bob]) {
      await vault.putSession(session('ses_same'));
      await vault.putFlow(flow('flw_same'));
    }
    await bob.deleteSession('ses_same');
    await bob.deleteFlow('flw_same');
    expect(await bob.getSession('ses_same')).toBeUndefined();
    expect(await bob.getFlow('flw_same')).toBeUndefined();
    expect(await alice.getSession('ses_same')).toBeDefined();
    expect(await alice.getFlow('flw_same')).toBeDefined();
    expect(await root.getSession('ses_same')).toBeDefined();
    expect(await root.getFlow('flw_same')).toBeDefined();
    const remaining = await store.keys('');
    expect(remaining).toHaveLength(4);
    expect(remaining.filter((key) => !key.startsWith('u:')).sort()).toEqual([
      'flow:flw_same',
      'session:ses_same',
    ]);
    expect(await alice.sessionIds()).toEqual(['ses_same']);
    expect(await bob.sessionIds()).toEqual([]);
    expect(await root.sessionIds()).toEqual(['ses_same']);
  });

  it("never reads or lists another principal's session", async () => {
    const store = new MemoryStore();
    const root = new Vault(store);
    const alice = root.forPrincipal('alice');
    const bob = root.forPrincipal('bob');
    await alice.putSession(session('ses_alice'));
    expect(await bob.getSession('ses_alice')).toBeUndefined();
    expect(await bob.listSessions()).toEqual([]);
    expect(await root.getSession('ses_alice')).toBeUndefined();
    expect((await alice.listSessions()).map((s) => s.session_id)).toEqual(['ses_alice']);
  });
});

describe('Vault on redis', () => {
  it('lists the other sessions with a warning when one stored value cannot be read', async () => {
    const prefix = `vault${randomBytes(4).toString('hex')}:`;
    const warnings: string[] = [];
    const store = redisStore(prefix, (m) => warnings.push(m));
    const vault = new Vault(store, '', (m) => warnings.push(m)).forPrincipal('alice');
    const raw = createClient({ url: redis().url });
    await raw.connect();
    try {
      await vault.putSession(session('ses_a'));
      await vault.putSession(session('ses_b'));
      await vault.putSession(session('ses_c'));
      // Damage one value in place: its index entry stays, the value no longer opens.
      const values = (await raw.keys(`${prefix}k:*`)).sort();
      await raw.set(
        values[0] as string,
        '{"v":2,"iv":"AAAAAAAAAAAAAAAA","tag":"AAAAAAAAAAAAAAAAAAAAAA==","data":"AA=="}',
      );
      const listed = await vault.listSessions();
      expect(listed).toHaveLength(2);
      expect(await vault.sessionIds()).toEqual(['ses_a', 'ses_b', 'ses_c']);
      expect(warnings.join('\n')).toMatch(/skipped the stored record session:ses_[abc]/);
      const damaged = ['ses_a', 'ses_b', 'ses_c'].find((id) => !listed.some((s) => s.session_id === id));
      // Read by its id, the damage is reported.
      await expect(vault.getSession(damaged as string)).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it("gives a session without a refresh token the record's expiry (a day's grace to show it expired)", async () => {
    const prefix = `vault${randomBytes(4).toString('hex')}:`;
    const store = redisStore(prefix);
    const vault = new Vault(store);
    const raw = createClient({ url: redis().url });
    await raw.connect();
    try {
      const expiresAt = Date.now() + 3_600_000;
      await vault.putSession(
        session('ses_short', { refresh_token: undefined, expires_at: new Date(expiresAt).toISOString() }),
      );
      const [data] = await raw.keys(`${prefix}k:*`);
      const pttl = await raw.pTTL(data as string);
      const expected = expiresAt + 24 * 3_600_000 - Date.now();
      expect(Math.abs(pttl - expected)).toBeLessThan(5_000);
      // With a refresh token the session lives on until it is removed.
      await vault.putSession(session('ses_long', { expires_at: new Date(expiresAt).toISOString() }));
      const ttls = await Promise.all((await raw.keys(`${prefix}k:*`)).map((key) => raw.pTTL(key)));
      expect(ttls.filter((ttl) => ttl === -1)).toHaveLength(1);
    } finally {
      await raw.close();
      await store.close();
    }
  });
});
