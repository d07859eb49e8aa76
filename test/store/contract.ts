// The behaviour every TokenStore backend promises, as a reusable suite: memory, file, keychain and redis run it.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenStore } from '../../src/store/token-store.js';

export type MakeStore = () => Promise<{ store: TokenStore; cleanup(): Promise<void> }>;

export function describeTokenStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} (TokenStore contract)`, () => {
    let store: TokenStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });

    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe('values', () => {
      it('returns undefined for a key that was never set', async () => {
        expect(await store.get('session:missing')).toBeUndefined();
      });

      it('returns the value that was set', async () => {
        await store.set('session:a', '{"v":1}');
        expect(await store.get('session:a')).toBe('{"v":1}');
      });

      it('replaces a value on overwrite', async () => {
        await store.set('session:a', 'one');
        await store.set('session:a', 'two');
        expect(await store.get('session:a')).toBe('two');
        expect(await store.keys('session:')).toEqual(['session:a']);
      });

      it('forgets a deleted key, and deleting a missing key is not an error', async () => {
        await store.set('session:a', 'one');
        await store.delete('session:a');
        await store.delete('session:never');
        expect(await store.get('session:a')).toBeUndefined();
        expect(await store.keys('session:')).toEqual([]);
      });

      it('lists exactly the keys that start with the prefix', async () => {
        for (const key of ['session:a', 'session:b', 'flow:c', 'sessions:d', 'u:1:session:e']) {
          await store.set(key, 'x');
        }
        expect((await store.keys('session:')).sort()).toEqual(['session:a', 'session:b']);
        expect((await store.keys('')).sort()).toEqual([
          'flow:c',
          'session:a',
          'session:b',
          'sessions:d',
          'u:1:session:e',
        ]);
        expect(await store.keys('nothing:')).toEqual([]);
      });

      it('keeps unicode keys and values intact', async () => {
        const value = 'żółć ✓ 日本語 🔐 "quotes" \\ \n\t\u0000 end';
        await store.set('client:ünïcødé-名前', value);
        expect(await store.get('client:ünïcødé-名前')).toBe(value);
        expect(await store.keys('client:')).toEqual(['client:ünïcødé-名前']);
      });

      it('keeps an empty value apart from a missing one', async () => {
        await store.set('flow:empty', '');
        expect(await store.get('flow:empty')).toBe('');
      });

      it('round-trips a 100 KB value', async () => {
        const value = JSON.stringify({ blob: 'abcdefghij🔑'.repeat(8_600) });
        expect(value.length).toBeGreaterThan(100_000);
        await store.set('session:large', value);
        expect(await store.get('session:large')).toBe(value);
      });
    });

    describe('ttl', () => {
      it('drops a key after its ttl, from get and from keys', async () => {
        await store.set('flow:short', 'pending', { ttlSeconds: 1 });
        await store.set('flow:long', 'pending', { ttlSeconds: 60 });
        expect(await store.get('flow:short')).toBe('pending');
        await sleep(1_200);
        expect(await store.get('flow:short')).toBeUndefined();
        expect(await store.keys('flow:')).toEqual(['flow:long']);
        expect(await store.get('flow:long')).toBe('pending');
      });

      it('keeps a key for good once it is set again without a ttl', async () => {
        await store.set('flow:a', 'pending', { ttlSeconds: 1 });
        await store.set('flow:a', 'done');
        await sleep(1_200);
        expect(await store.get('flow:a')).toBe('done');
      });
    });

    it('describes where its data lives in info', () => {
      expect(['memory', 'file', 'keychain', 'redis']).toContain(store.info.backend);
      expect(store.info.location).toEqual(expect.any(String));
      expect(store.info.location.length).toBeGreaterThan(0);
      expect(store.info.encrypted).toEqual(expect.any(Boolean));
      expect(store.info.reason.length).toBeGreaterThan(0);
    });

    describe('lock', () => {
      it('gives a lock to one holder at a time, and every holder gets its turn', async () => {
        let active = 0;
        let maxActive = 0;
        const worker = async () => {
          for (let i = 0; i < 5; i++) {
            const release = await store.lock('refresh:ses_1', { waitMs: 20_000 });
            active++;
            maxActive = Math.max(maxActive, active);
            const count = Number((await store.get('counter')) ?? '0');
            await sleep(Math.random() * 5);
            await store.set('counter', String(count + 1));
            active--;
            await release();
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        expect(maxActive).toBe(1);
        expect(await store.get('counter')).toBe('20');
      });

      it('lets locks with different names be held at once', async () => {
        const first = await store.lock('refresh:a');
        const second = await store.lock('refresh:b', { waitMs: 500 });
        await second();
        await first();
      });

      it('is free again as soon as it is released, and releasing twice is harmless', async () => {
        const release = await store.lock('refresh:a');
        await release();
        await release();
        const again = await store.lock('refresh:a', { waitMs: 200 });
        await again();
      });

      it('takes over a lock whose holder kept it past staleMs', async () => {
        const abandoned = await store.lock('refresh:a', { staleMs: 300 });
        const started = performance.now();
        const release = await store.lock('refresh:a', { staleMs: 300, waitMs: 5_000 });
        const waited = performance.now() - started;
        expect(waited).toBeGreaterThanOrEqual(200);
        expect(waited).toBeLessThan(4_000);
        // The old holder waking up must not release the lock its successor holds now.
        await abandoned();
        await expect(store.lock('refresh:a', { waitMs: 100, staleMs: 30_000 })).rejects.toMatchObject({
          code: 'store_unavailable',
        });
        await release();
      });

      it('fails with store_unavailable when the lock is not free within waitMs', async () => {
        const release = await store.lock('refresh:a');
        const started = performance.now();
        await expect(store.lock('refresh:a', { waitMs: 200 })).rejects.toMatchObject({
          code: 'store_unavailable',
          message: expect.stringContaining('refresh:a'),
        });
        const waited = performance.now() - started;
        expect(waited).toBeGreaterThanOrEqual(150);
        expect(waited).toBeLessThan(3_000);
        await release();
      });
    });
  });
}
