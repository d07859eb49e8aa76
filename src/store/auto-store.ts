// store.type auto: on first use, probes the OS keychain once and settles on it, or on the file store with one warning.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileStore, type FileStoreOptions } from './file-store.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeKeychain } from './keychain-probe.js';
import {
  KEYCHAIN_SERVICE,
  KeychainStore,
  type KeychainStoreOptions,
  keychainName,
} from './keychain-store.js';
import { KeychainWorker } from './keychain-worker.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export interface AutoStoreOptions {
  keychain: Omit<KeychainStoreOptions, 'worker' | 'reason'>;
  file: Omit<FileStoreOptions, 'reason'>;
  /** The whole probe (helper start-up included) gives up after this long; default 1 500 ms. */
  probeTimeoutMs?: number;
  /** Told once, when the keychain is unusable and the file store is used instead. */
  warn: (message: string) => void;
}

export class AutoStore implements TokenStore {
  readonly #options: AutoStoreOptions;
  #chosen: TokenStore | undefined;
  #choosing: Promise<TokenStore> | undefined;

  constructor(options: AutoStoreOptions) {
    this.#options = options;
  }

  get info(): StoreInfo {
    return (
      this.#chosen?.info ?? {
        backend: 'keychain',
        location: `${keychainName()} (not probed yet)`,
        encrypted: true,
        reason:
          'store.type auto: the OS keychain is probed on first use; the file store is used if it is unusable',
      }
    );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#store()).get(key);
  }

  async set(key: string, value: string, options?: SetOptions): Promise<void> {
    return (await this.#store()).set(key, value, options);
  }

  async delete(key: string): Promise<void> {
    return (await this.#store()).delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return (await this.#store()).keys(prefix);
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    return (await this.#store()).lock(name, options);
  }

  async close(): Promise<void> {
    await (await this.#choosing?.catch(() => undefined))?.close();
  }

  /** Start-up never waits for this: the first store call does, for at most the probe timeout. */
  #store(): Promise<TokenStore> {
    this.#choosing ??= this.#choose().then((store) => {
      this.#chosen = store;
      return store;
    });
    return this.#choosing;
  }

  async #choose(): Promise<TokenStore> {
    const { keychain, file, warn } = this.#options;
    const worker = new KeychainWorker({ service: keychain.service ?? KEYCHAIN_SERVICE, env: keychain.env });
    const probe = await probeKeychain(worker, this.#options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    if (probe.usable) {
      return new KeychainStore({
        ...keychain,
        worker,
        reason: `store.type auto: the OS keychain (${keychainName()}) answered the probe`,
      });
    }
    worker.close();
    const encryption = file.encryptionKey
      ? 'encrypted with OAUTH_MCP_STORE_KEY / store.key'
      : 'NOT encrypted: set OAUTH_MCP_STORE_KEY (16+ characters) to encrypt it';
    if (firstNoticeFor(file.path)) {
      warn(
        `The OS keychain is not usable (${probe.reason}), so tokens are kept in ${file.path} (${encryption}); ` +
          'run a Secret Service (gnome-keyring) for the keychain, or set "store": {"type": "file"} to choose the file. Said once for this file.',
      );
    }
    return new FileStore({
      ...file,
      reason: `store.type auto: the OS keychain is not usable (${probe.reason})`,
    });
  }
}

/**
 * The keychain notice is said once per token file, not on every run: a mark beside the file (0600,
 * holding no secret) records that it was. Where the mark cannot be written, the notice comes again.
 */
function firstNoticeFor(path: string): boolean {
  const mark = `${path}.keychain-notice`;
  if (existsSync(mark)) return false;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(mark, 'The keychain-unavailable notice was shown for this token file.\n', { mode: 0o600 });
  } catch {
    // not writable here: say it again next time
  }
  return true;
}
