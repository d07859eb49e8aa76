// The storage contract every backend (memory, file, keychain, redis) implements: string values under typed keys.
import { OAuthToolError } from '../errors.js';

/**
 * Keys are `model:id` strings with typed prefixes, e.g. `session:ses_123`, `flow:flw_456`,
 * `client:work`, optionally namespaced per principal (`u:<hash>:session:...`). Values are JSON text;
 * the typed layer in `vault.ts` validates them on read, so backends never parse them.
 */
export interface TokenStore {
  /** Which backend this is, for `oauth_list_sessions` ("where are my tokens?"). */
  readonly info: StoreInfo;
  get(key: string): Promise<string | undefined>;
  /** Writes atomically: after a crash the key holds either the old or the new value, never a mix. */
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, in no particular order. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Holds a named lock shared by every process that uses the same store (a refresh must be
   * serialized across Claude Desktop and Cursor running against one keychain). A holder that died
   * loses the lock after `staleMs`. Resolves to a release function.
   */
  lock(name: string, options?: LockOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface SetOptions {
  /** Drop the key after this many seconds (pending flows); backends without native TTL check on read. */
  ttlSeconds?: number;
}

export interface LockOptions {
  /** How long to wait for the lock before failing with `store_unavailable`. Default 10 000 ms. */
  waitMs?: number;
  /** A lock older than this is considered abandoned by a crashed holder. Default 30 000 ms. */
  staleMs?: number;
}

export interface StoreInfo {
  backend: 'memory' | 'file' | 'keychain' | 'redis';
  /** Where the data lives, without secrets: a file path, a keychain service name, a redis host. */
  location: string;
  /** Whether values are encrypted at rest by us or by the OS (keychain). */
  encrypted: boolean;
  /** Why this backend was chosen (e.g. "store.type auto: no Secret Service on the session bus"). */
  reason: string;
}

/**
 * A value the store holds but cannot read: damaged, sealed with another key, or written back from an older
 * copy. Reading it by key reports it; a listing skips it with a warning and lists the rest.
 */
export class UnreadableValueError extends OAuthToolError {
  constructor(message: string, options?: ConstructorParameters<typeof OAuthToolError>[2]) {
    super('store_unavailable', message, options);
  }
}
