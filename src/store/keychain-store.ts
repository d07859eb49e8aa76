// TokenStore in the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret Service) via
// @napi-rs/keyring in a child process; index items (one per principal namespace) list the keys, large values are chunked.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { OAuthToolError } from '../auth/errors.js';
import { checkItemLimit, defaultItemLimit, type ItemLimit } from './chunking.js';
import { lockFileName } from './file-store.js';
import { ioError } from './file-store-io.js';
import { acquireLockFile } from './file-store-lock.js';
import { INDEX_ACCOUNT, type Index, KeychainIndex } from './keychain-index.js';
import { chunkAccount, type Held, isLive, KeychainItems, RESERVED } from './keychain-items.js';
import { type KeychainOp, KeychainUnavailableError, KeychainWorker } from './keychain-worker.js';
import { closedStoreError, resolveLockOptions } from './lock-wait.js';
import { expiryFrom } from './memory-store.js';
import { namespaceOf } from './namespaces.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export const KEYCHAIN_SERVICE = 'oauth-mcp';
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 10_000;

export { chunkAccount, INDEX_ACCOUNT };

/** Guards the index's read-modify-write; holders that died are displaced by pid, so stale can be long. */
const DATA_LOCK = { waitMs: 20_000, staleMs: 60_000 };

export interface KeychainStoreOptions {
  /** Directory of the cross-process lock files (the data dir); created 0700. */
  lockDir: string;
  /** Why this backend was chosen, shown in `info.reason`. */
  reason: string;
  /** Keychain service name; default `oauth-mcp`. */
  service?: string;
  /** Largest keychain item; default 2,560 UTF-16 bytes on Windows, 64 KiB elsewhere. */
  itemLimit?: ItemLimit;
  /** Each keychain round trip fails with store_unavailable after this long; default 10 000 ms. */
  timeoutMs?: number;
  /** The helper process to use (the `auto` probe hands over the one it started). */
  worker?: KeychainWorker;
  env?: NodeJS.ProcessEnv;
  onWarning?: ((message: string) => void) | undefined;
}

export class KeychainStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #worker: KeychainWorker;
  readonly #items: KeychainItems;
  readonly #index: KeychainIndex;
  readonly #timeoutMs: number;
  readonly #lockDir: string;
  readonly #onWarning: (message: string) => void;
  /** Write-through copy of every value this process read or wrote: reads keep working if the keychain goes away. */
  readonly #memory = new Map<string, Held>();
  #writes: Promise<unknown> = Promise.resolve();
  #degraded = false;
  #closed = false;

  constructor(options: KeychainStoreOptions) {
    const service = options.service ?? KEYCHAIN_SERVICE;
    this.#worker = options.worker ?? new KeychainWorker({ service, env: options.env });
    const limit = options.itemLimit ?? defaultItemLimit();
    checkItemLimit(limit);
    this.#items = new KeychainItems((ops) => this.#run(ops), limit);
    this.#index = new KeychainIndex(this.#items);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.#lockDir = options.lockDir;
    this.#onWarning = options.onWarning ?? (() => {});
    this.info = {
      backend: 'keychain',
      location: `${keychainName()}, service "${service}"`,
      encrypted: true,
      reason: options.reason,
    };
  }

  async get(key: string): Promise<string | undefined> {
    checkKey(key);
    try {
      const held = await this.#items.read(key);
      if (held) this.#memory.set(key, held);
      else this.#memory.delete(key);
      return held?.value;
    } catch (error) {
      const held = this.#memory.get(key);
      if (!(error instanceof KeychainUnavailableError) || !held) throw error;
      this.#warnDegraded(error);
      return isLive(held.exp) ? held.value : undefined;
    }
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    checkKey(key);
    const exp = expiryFrom(options);
    this.#assertOpen();
    this.#memory.set(key, { value, exp });
    await this.#update(key, async (index) => {
      await this.#items.write(key, value, exp);
      index[key] = exp ?? null;
    });
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.#assertOpen();
    this.#memory.delete(key);
    await this.#update(key, async (index) => {
      delete index[key];
      return () => this.#items.remove(key);
    });
  }

  async keys(prefix: string): Promise<string[]> {
    try {
      const index = await this.#index.list(prefix);
      return Object.keys(index).filter((key) => key.startsWith(prefix) && isLive(index[key]));
    } catch (error) {
      if (!(error instanceof KeychainUnavailableError) || this.#memory.size === 0) throw error;
      this.#warnDegraded(error);
      return [...this.#memory]
        .filter(([key, held]) => key.startsWith(prefix) && isLive(held.exp))
        .map(([k]) => k);
    }
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    const resolved = resolveLockOptions(options);
    await this.#prepareLockDir();
    return acquireLockFile(join(this.#lockDir, `${lockFileName(name)}.lock`), name, resolved);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#writes;
    this.#worker.close();
    this.#memory.clear();
  }

  /**
   * Read-modify-write of the key's namespace index under the cross-process data lock (a single index of
   * an older version is split first). `change` edits the index and may
   * return a follow-up that runs after the index is written (a delete unlists a key before removing it,
   * so a crash leaves an unlisted orphan, never a listed key without a value).
   */
  #update(
    key: string,
    change: (index: Index) => Promise<(() => Promise<void>) | undefined | void>,
  ): Promise<void> {
    const run = this.#writes.then(async () => {
      await this.#prepareLockDir();
      const release = await acquireLockFile(
        join(this.#lockDir, '.keychain-data.lock'),
        'keychain data',
        DATA_LOCK,
      );
      try {
        let root = await this.#index.root();
        if (root.single) root = await this.#index.split(root);
        const namespace = namespaceOf(key);
        const index = namespace === '' ? root.keys : await this.#index.read(namespace);
        const before = JSON.stringify(index);
        const after = await change(index);
        const expired = Object.keys(index).filter((key) => !isLive(index[key]));
        for (const key of expired) delete index[key];
        if (JSON.stringify(index) !== before) await this.#index.write(namespace, index, root);
        if (after) await after();
        for (const key of expired) await this.#items.remove(key);
      } finally {
        await release();
      }
    });
    this.#writes = run.catch(() => {});
    return run;
  }

  async #run(ops: KeychainOp[]) {
    this.#assertOpen();
    const results = await this.#worker.run(ops, this.#timeoutMs);
    this.#degraded = false;
    return results;
  }

  #warnDegraded(error: OAuthToolError): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.#onWarning(
      `${error.message} Serving the tokens this process already holds from memory; changes are not saved until the keychain is back.`,
    );
  }

  async #prepareLockDir(): Promise<void> {
    this.#assertOpen();
    try {
      await fs.mkdir(this.#lockDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError('create the lock directory of', this.#lockDir, error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw closedStoreError(this.info.location);
  }
}

function checkKey(key: string): void {
  if (key.startsWith(RESERVED)) throw new RangeError(`store keys starting with "${RESERVED}" are reserved`);
}

export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (D-Bus)';
}
