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

  it('lists by any prefix, whole principal namespaces, partial ones and none alike', async () => {
    const store = new MemoryStore();
    for (const key of ['u:aa:session:1', 'u:aa:flow:1', 'u:ab:session:2', 'session:3', 'u:x', 'ux:4'])
      await store.set(key, 'v');
    await store.set('u:aa:session:gone', 'v', { ttlSeconds: 0.001 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const sorted = async (prefix: string) => (await store.keys(prefix)).sort();
    expect(await sorted('u:aa:session:')).toEqual(['u:aa:session:1']);
    expect(await sorted('u:a')).toEqual(['u:aa:flow:1', 'u:aa:session:1', 'u:ab:session:2']);
    expect(await sorted('u')).toEqual(['u:aa:flow:1', 'u:aa:session:1', 'u:ab:session:2', 'u:x', 'ux:4']);
    expect(await sorted('session:')).toEqual(['session:3']);
    expect(await sorted('')).toHaveLength(6);
    await store.delete('u:aa:session:1');
    expect(await sorted('u:aa:')).toEqual(['u:aa:flow:1']);
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
