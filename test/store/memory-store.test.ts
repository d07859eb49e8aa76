// MemoryStore: the TokenStore contract plus what is particular to a process-local store.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { describeTokenStoreContract } from './contract.js';

describeTokenStoreContract('MemoryStore', async () => ({
  store: new MemoryStore(),
  cleanup: async () => {},
}));

describe('MemoryStore', () => {
  it('reports itself as an unencrypted memory backend with the reason it was chosen', () => {
    const store = new MemoryStore({ reason: 'store.type memory (tests)' });
    expect(store.info).toEqual({
      backend: 'memory',
      location: 'process memory',
      encrypted: false,
      reason: 'store.type memory (tests)',
    });
  });

  it('keeps instances apart', async () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    await a.set('session:a', 'x');
    expect(await b.get('session:a')).toBeUndefined();
  });

  it('refuses calls after close with store_unavailable', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.get('session:a')).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
