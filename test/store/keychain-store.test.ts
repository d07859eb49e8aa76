// KeychainStore against a real Secret Service (gnome-keyring): the TokenStore contract, items readable by a
// second process, chunking with a checksum, and a keychain that goes away mid-session.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHead } from '../../src/store/chunking.js';
import { namespaceIndexAccount } from '../../src/store/keychain-index.js';
import { KeychainItems } from '../../src/store/keychain-items.js';
import { chunkAccount, INDEX_ACCOUNT, KeychainStore } from '../../src/store/keychain-store.js';
import { KeychainWorker } from '../../src/store/keychain-worker.js';
import { keyringSkipReason, secretTool, startPrivateSecretService } from '../helpers/secret-service.js';
import { describeTokenStoreContract } from './contract.js';

const skipReason = await keyringSkipReason();
if (skipReason) console.warn(`keychain-store tests skipped: ${skipReason}`);

/** Every test gets a service of its own, so runs never see each other's (or a user's) items. */
function newKeychain(options: { itemLimit?: number; env?: NodeJS.ProcessEnv } = {}) {
  const service = `oauth-mcp-test-${randomBytes(6).toString('hex')}`;
  const lockDir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-locks-'));
  const warnings: string[] = [];
  const open = () =>
    new KeychainStore({
      service,
      lockDir,
      reason: 'test',
      env: options.env,
      onWarning: (message) => warnings.push(message),
      ...(options.itemLimit ? { itemLimit: { maxBytes: options.itemLimit, encoding: 'utf8' as const } } : {}),
    });
  return {
    service,
    warnings,
    open,
    cleanup: async () => {
      await secretTool.clear(service, options.env);
      rmSync(lockDir, { recursive: true, force: true });
    },
  };
}

describe.skipIf(skipReason)('KeychainStore on a real Secret Service', () => {
  describeTokenStoreContract('KeychainStore', async () => {
    const keychain = newKeychain();
    return { store: keychain.open(), cleanup: keychain.cleanup };
  });

  describeTokenStoreContract('KeychainStore with 1 KB items (chunked)', async () => {
    const keychain = newKeychain({ itemLimit: 1_000 });
    return { store: keychain.open(), cleanup: keychain.cleanup };
  });

  describe('items in the keychain', () => {
    let keychain: ReturnType<typeof newKeychain>;
    let store: KeychainStore;

    beforeEach(() => {
      keychain = newKeychain({ itemLimit: 1_000 });
      store = keychain.open();
    });

    afterEach(async () => {
      await store.close();
      await keychain.cleanup();
    });

    it('keeps each value as an item of its service and account, readable by another process', async () => {
      await store.set('session:ses_1', '{"v":1,"access_token":"at-123"}');
      const item = await secretTool.lookup(keychain.service, 'session:ses_1');
      expect(parseHead(item ?? '')).toEqual({ f: 1, value: '{"v":1,"access_token":"at-123"}' });
      expect((await secretTool.accounts(keychain.service)).sort()).toEqual(
        ['session:ses_1', INDEX_ACCOUNT].sort(),
      );
    });

    it("keeps one index item per principal namespace, so a user's writes and listings touch only theirs", async () => {
      await store.set('u:alice:session:1', 'a');
      await store.set('u:bob:session:1', 'b');
      await store.set('session:2', 'c');
      const accounts = await secretTool.accounts(keychain.service);
      expect(accounts).toEqual(
        expect.arrayContaining([
          namespaceIndexAccount('u:alice:'),
          namespaceIndexAccount('u:bob:'),
          INDEX_ACCOUNT,
        ]),
      );
      const bobIndex = parseHead(
        (await secretTool.lookup(keychain.service, namespaceIndexAccount('u:bob:'))) ?? '',
      );
      expect(JSON.stringify(bobIndex)).not.toContain('alice');
      expect(await store.keys('u:alice:session:')).toEqual(['u:alice:session:1']);
      expect(await store.keys('session:')).toEqual(['session:2']);
      expect((await keychain.open().keys('')).sort()).toEqual([
        'session:2',
        'u:alice:session:1',
        'u:bob:session:1',
      ]);
    });

    it('splits the single index an older version wrote on the first write, keeping every key', async () => {
      await store.set('u:alice:session:1', 'a');
      await store.set('session:2', 'c');
      // what versions before the split kept: every key in one index item
      const worker = new KeychainWorker({ service: keychain.service });
      const items = new KeychainItems((ops) => worker.run(ops, 10_000), {
        maxBytes: 1_000,
        encoding: 'utf8',
      });
      await items.write(
        INDEX_ACCOUNT,
        JSON.stringify({ v: 1, keys: { 'u:alice:session:1': null, 'session:2': null } }),
      );
      const reader = keychain.open();
      expect((await reader.keys('u:alice:')).sort()).toEqual(['u:alice:session:1']);
      await reader.set('u:alice:session:3', 'd');
      expect(JSON.parse((await items.read(INDEX_ACCOUNT))?.value ?? '{}').v).toBe(2);
      worker.close();
      const fresh = keychain.open();
      expect((await fresh.keys('u:alice:')).sort()).toEqual(['u:alice:session:1', 'u:alice:session:3']);
      expect(await fresh.keys('session:')).toEqual(['session:2']);
      await Promise.all([reader.close(), fresh.close()]);
    });

    it('lists and reads the keys another store process wrote (the index item)', async () => {
      await store.set('session:a', 'one');
      await store.set('client:work', 'two');
      const other = keychain.open();
      try {
        expect((await other.keys('')).sort()).toEqual(['client:work', 'session:a']);
        expect(await other.get('session:a')).toBe('one');
        await other.delete('session:a');
        expect(await store.keys('session:')).toEqual([]);
        expect(await store.get('session:a')).toBeUndefined();
      } finally {
        await other.close();
      }
    });

    it('stores a value larger than the item limit as chunks with a SHA-256 checksum, and round-trips it', async () => {
      const value = JSON.stringify({
        access_token: `eyJ${'x'.repeat(6_000)}`,
        id_token: `eyJ${'é🔑'.repeat(1_000)}`,
      });
      expect(Buffer.byteLength(value)).toBeGreaterThan(10_000);
      await store.set('session:big', value);

      const head = parseHead((await secretTool.lookup(keychain.service, 'session:big')) ?? '');
      expect(head).toMatchObject({ f: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const chunks = (head as { chunks: number }).chunks;
      expect(chunks).toBeGreaterThanOrEqual(11);
      for (const account of await secretTool.accounts(keychain.service)) {
        const item = (await secretTool.lookup(keychain.service, account)) ?? '';
        expect(Buffer.byteLength(item)).toBeLessThanOrEqual(1_000);
      }

      const fresh = keychain.open();
      try {
        expect(await fresh.get('session:big')).toBe(value);
      } finally {
        await fresh.close();
      }
    });

    it('removes the chunks of a value that is replaced or deleted', async () => {
      await store.set('session:big', 'a'.repeat(5_000));
      await store.set('session:big', 'b'.repeat(3_000));
      expect(await store.get('session:big')).toBe('b'.repeat(3_000));
      const chunkItems = async () =>
        (await secretTool.accounts(keychain.service)).filter((a) => a.startsWith('~oauth-mcp/chunk/'));
      expect(await chunkItems()).toHaveLength(3);
      await store.delete('session:big');
      expect(await chunkItems()).toEqual([]);
    });

    it('reports a corrupted chunk as store_unavailable and never returns the damaged value', async () => {
      await store.set('session:big', 'r'.repeat(10_000));
      const head = parseHead((await secretTool.lookup(keychain.service, 'session:big')) ?? '') as {
        gen: string;
      };
      await secretTool.store(keychain.service, chunkAccount(head.gen, 3), 'X'.repeat(1_000));

      const fresh = keychain.open();
      try {
        await expect(fresh.get('session:big')).rejects.toMatchObject({
          code: 'store_unavailable',
          message: expect.stringMatching(/session:big.*damaged.*SHA-256/),
        });
        // Not masked by the copy this process holds in memory either.
        await expect(store.get('session:big')).rejects.toMatchObject({ code: 'store_unavailable' });
      } finally {
        await fresh.close();
      }
    });

    it('reports a missing chunk as store_unavailable', async () => {
      await store.set('session:big', 'm'.repeat(4_000));
      const head = parseHead((await secretTool.lookup(keychain.service, 'session:big')) ?? '') as {
        gen: string;
      };
      await secretTool.clear(keychain.service); // every item, the head's chunks included
      await secretTool.store(keychain.service, 'session:big', JSON.stringify(head));
      await expect(store.get('session:big')).rejects.toMatchObject({ code: 'store_unavailable' });
    });

    it('reports an item it did not write as damaged instead of guessing', async () => {
      await secretTool.store(keychain.service, 'session:foreign', 'plain text from another tool');
      await expect(store.get('session:foreign')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('session:foreign'),
      });
    });

    it('refuses keys in its own bookkeeping namespace', async () => {
      await expect(store.set(INDEX_ACCOUNT, '{}')).rejects.toThrow(/reserved/);
    });
  });

  describe('a keychain that goes away mid-session', () => {
    it('keeps serving the values it holds, reports store_unavailable on write, and warns once', async () => {
      const secretService = await startPrivateSecretService();
      const keychain = newKeychain({ env: secretService.env });
      const store = keychain.open();
      try {
        await store.set('session:a', 'token-set-a');
        await store.set('session:big', 'z'.repeat(3_000));
        expect(await secretTool.lookup(keychain.service, 'session:a', secretService.env)).toContain(
          'token-set-a',
        );

        secretService.killKeyring();
        const started = performance.now();
        expect(await store.get('session:a')).toBe('token-set-a');
        expect(await store.get('session:big')).toBe('z'.repeat(3_000));
        expect((await store.keys('session:')).sort()).toEqual(['session:a', 'session:big']);
        await expect(store.set('session:b', 'token-set-b')).rejects.toMatchObject({
          code: 'store_unavailable',
          message: expect.stringContaining('OS keychain is not usable'),
        });
        await expect(store.get('session:never-seen')).rejects.toMatchObject({ code: 'store_unavailable' });
        // The token that could not be saved is not lost for this process.
        expect(await store.get('session:b')).toBe('token-set-b');
        expect(performance.now() - started).toBeLessThan(5_000);
        expect(keychain.warnings).toHaveLength(1);
        expect(keychain.warnings[0]).toMatch(/from memory/);
      } finally {
        await store.close();
        await secretService.stop();
      }
    });
  });
});
