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

describe('Vault records', () => {
  it('lists sessions oldest first, by provider on request, and reads pages of ids in their order', async () => {
    const vault = new Vault(new MemoryStore()).forPrincipal('carol');
    await vault.putSession(session('ses_b', { provider: 'work', updated_at: '2026-01-02T00:00:00Z' }));
    await vault.putSession(session('ses_a', { provider: 'home', updated_at: '2026-01-03T00:00:00Z' }));
    await vault.putSession(session('ses_c', { provider: 'work', updated_at: '2026-01-01T00:00:00Z' }));
    expect((await vault.listSessions()).map((s) => s.session_id)).toEqual(['ses_c', 'ses_b', 'ses_a']);
    expect((await vault.listSessions({ provider: 'work' })).map((s) => s.session_id)).toEqual([
      'ses_c',
      'ses_b',
    ]);
    expect(await vault.sessionIds()).toEqual(['ses_a', 'ses_b', 'ses_c']);
    expect((await vault.getSessions(['ses_c', 'gone', 'ses_a'])).map((s) => s.session_id)).toEqual([
      'ses_c',
      'ses_a',
    ]);
  });

  it("counts, finds and forgets pending sign-ins by state and start handle, in the starter's namespace", async () => {
    const store = new MemoryStore();
    const root = new Vault(store);
    const dave = root.forPrincipal('dave');
    await dave.putFlow(flow('flw_1'));
    await dave.putFlow(flow('flw_2'));
    expect(await dave.countFlows()).toBe(2);
    expect(await root.countFlows()).toBe(0);
    const expires = new Date(Date.now() + 60_000).toISOString();
    await dave.putFlowState('state-1', 'flw_1', expires);
    await dave.putFlowStart('handle-1', 'flw_1', expires);
    const byState = await root.findFlowByState('state-1');
    expect(byState?.flowId).toBe('flw_1');
    expect((await byState?.vault.getFlow('flw_1'))?.flow_id).toBe('flw_1');
    const byStart = await root.findFlowByStart('handle-1');
    expect(byStart?.flowId).toBe('flw_1');
    expect(await byStart?.vault.countFlows()).toBe(2);
    await root.deleteFlowState('state-1');
    await root.deleteFlowStart('handle-1');
    expect(await root.findFlowByState('state-1')).toBeUndefined();
    expect(await root.findFlowByStart('handle-1')).toBeUndefined();
    await dave.deleteFlow('flw_2');
    expect(await dave.countFlows()).toBe(1);
  });

  it('keeps client profiles per principal', async () => {
    const root = new Vault(new MemoryStore());
    const erin = root.forPrincipal('erin');
    const now = new Date().toISOString();
    const profile = {
      v: 1 as const,
      name: 'mine',
      settings: { issuer: 'https://as.example', clientId: 'c1' },
      created_at: now,
      updated_at: now,
    };
    await erin.putClientProfile(profile);
    expect(await erin.listProfileNames()).toEqual(['mine']);
    expect(await root.listProfileNames()).toEqual([]);
    expect((await erin.getProfile('mine'))?.clientId).toBe('c1');
    expect(await root.getProfile('mine')).toBeUndefined();
    await root.deleteClientProfile('mine');
    expect(await erin.getClientProfile('mine')).toBeDefined();
    await erin.deleteClientProfile('mine');
    expect(await erin.getClientProfile('mine')).toBeUndefined();
  });

  it('reports a damaged record read by id, saying what to do, and skips it when listing', async () => {
    const store = new MemoryStore();
    const vault = new Vault(store);
    await vault.putSession(session('ses_ok'));
    await store.set('session:ses_bad', 'not json');
    await store.set('session:ses_shape', '{"v":1}');
    await expect(vault.getSession('ses_bad')).rejects.toMatchObject({
      code: 'store_unavailable',
      message:
        'The stored record session:ses_bad is not valid JSON; the store may be damaged. Remove that entry or sign in again.',
    });
    await expect(vault.getSession('ses_shape')).rejects.toMatchObject({
      message:
        'The stored record session:ses_shape does not have the expected shape (written by another version of oauth-mcp?). Remove that entry or sign in again.',
    });
    expect((await vault.listSessions()).map((s) => s.session_id)).toEqual(['ses_ok']);
  });

  it('shares locks by name across vaults of one principal, apart from other principals', async () => {
    const store = new MemoryStore();
    const frank = new Vault(store).forPrincipal('frank');
    const release = await frank.lock('refresh:ses_1');
    await expect(
      new Vault(store).forPrincipal('frank').lock('refresh:ses_1', { waitMs: 50 }),
    ).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    const other = await new Vault(store).forPrincipal('grace').lock('refresh:ses_1', { waitMs: 50 });
    await other();
    await release();
  });

  it('says which store it is on', () => {
    const store = new MemoryStore({ reason: 'test reason' });
    const vault = new Vault(store);
    expect(vault.store).toBe(store);
    expect(vault.info).toBe(store.info);
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
