// The bounded cache behind HTTP mode's per-principal engines and shared provider Configurations.

import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/lru-cache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry once it is over capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now more recent than b
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('replaces a value without growing', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    cache.delete('missing');
    expect(cache.get('a')).toBe(2);
    expect(cache.size).toBe(1);
  });
});
