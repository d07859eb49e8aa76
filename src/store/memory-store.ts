// In-process TokenStore: a Map with absolute expiry times and a process-local lock; nothing survives a restart.
import { expiryFrom } from './expiry.js';
import { closedStoreError, lockTimeoutError, resolveLockOptions, retryUntil } from './lock-wait.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export interface MemoryStoreOptions {
  /** Why this backend was chosen; default "store.type memory". */
  reason?: string | undefined;
}

interface Entry {
  value: string;
  /** Epoch milliseconds; absent means no expiry. */
  expiresAt?: number;
}

interface Holder {
  token: symbol;
  acquiredAt: number;
}

/**
 * An in-process TokenStore: nothing survives a restart; for tests and short-lived use.
 *
 * @example
 * const engine = createEngine({ config, store: new MemoryStore() });
 * @see README.md#where-tokens-are-kept
 */
export class MemoryStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #entries = new Map<string, Entry>();
  /** Keys by principal namespace: listing one user's keys costs that user's keys, not everyone's. */
  readonly #byNamespace = new Map<string, Set<string>>();
  readonly #locks = new Map<string, Holder>();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.info = {
      backend: 'memory',
      location: 'process memory',
      encrypted: false,
      reason: options.reason ?? 'store.type memory',
    };
  }

  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.#assertOpen();
    const expiresAt = expiryFrom(options);
    if (!this.#entries.has(key)) {
      const namespace = namespaceOf(key);
      const keys = this.#byNamespace.get(namespace);
      if (keys) keys.add(key);
      else this.#byNamespace.set(namespace, new Set([key]));
    }
    this.#entries.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    this.#remove(key);
  }

  async keys(prefix: string): Promise<string[]> {
    this.#assertOpen();
    const namespace = namespaceOfPrefix(prefix);
    const candidates =
      namespace === undefined ? this.#entries.keys() : (this.#byNamespace.get(namespace) ?? []);
    return [...candidates].filter((key) => key.startsWith(prefix) && this.#live(key));
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    this.#assertOpen();
    const { waitMs, staleMs } = resolveLockOptions(options);
    const token = Symbol(name);
    await retryUntil(
      async () => {
        const holder = this.#locks.get(name);
        if (holder && Date.now() - holder.acquiredAt <= staleMs) return undefined;
        this.#locks.set(name, { token, acquiredAt: Date.now() });
        return true;
      },
      waitMs,
      () => lockTimeoutError(name, waitMs, this.info.location),
    );
    return async () => {
      // A holder that went stale must not release the lock its successor now holds.
      if (this.#locks.get(name)?.token === token) this.#locks.delete(name);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#byNamespace.clear();
    this.#locks.clear();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#remove(key);
      return undefined;
    }
    return entry;
  }

  #remove(key: string): void {
    if (!this.#entries.delete(key)) return;
    const namespace = namespaceOf(key);
    const keys = this.#byNamespace.get(namespace);
    keys?.delete(key);
    if (keys?.size === 0) this.#byNamespace.delete(namespace);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedStoreError(this.info.location);
  }
}
