// store.type auto: on first use, probes the OS keychain once and settles on it, or on the file store with one warning.
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
      : 'NOT encrypted: set OAUTH_MCP_STORE_KEY or store.key (16+ characters) to encrypt it';
    warn(
      `The OS keychain is not usable (${probe.reason}), so tokens are kept in the file ${file.path} (${encryption}). ` +
        'To use the keychain: on Linux run and unlock a Secret Service (gnome-keyring or KWallet) on the D-Bus session bus ' +
        '(DBUS_SESSION_BUS_ADDRESS); on macOS or Windows run oauth-mcp in a logged-in desktop session. ' +
        'Set store.type to "file" to choose the file store and silence this warning.',
    );
    return new FileStore({
      ...file,
      reason: `store.type auto: the OS keychain is not usable (${probe.reason})`,
    });
  }
}
