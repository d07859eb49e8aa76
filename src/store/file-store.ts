// TokenStore in one JSON file shared by several processes: atomic replace, cross-process lock file, optional AES-256-GCM.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OAuthToolError } from '../errors.js';
import { expiryFrom } from './expiry.js';
import { type DecodedDocument, FileStoreCodec, type StoredEntry } from './file-store-codec.js';
import { errnoCode, ioError, removeOrphanTempFiles, writeFileAtomic } from './fs-io.js';
import { acquireLockFile, lockFileName } from './lock-file.js';
import { closedStoreError, resolveLockOptions } from './lock-wait.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export interface FileStoreOptions {
  /** The JSON document; its directory is created 0700 if missing. */
  path: string;
  /** A passphrase (OAUTH_MCP_STORE_KEY); when given, the file is AES-256-GCM encrypted. */
  encryptionKey?: string | undefined;
  /** Why this backend was chosen, shown in `info.reason`. */
  reason: string;
  /** Told about things the user should know but that do not fail a call (a file mode tightened). */
  onWarning?: ((message: string) => void) | undefined;
}

/** The data lock guards a read-modify-write of milliseconds, so a much shorter staleness is safe. */
const DATA_LOCK = { waitMs: 10_000, staleMs: 10_000 };

export class FileStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #path: string;
  readonly #codec: FileStoreCodec;
  readonly #onWarning: (message: string) => void;
  #ready: Promise<void> | undefined;
  /** The last document read, with the identity of the file it came from (inode, size, mtime). */
  #cache: { signature: string; document: DecodedDocument } | undefined;
  /** Serializes this instance's own writes so they queue here instead of polling the lock file. */
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: FileStoreOptions) {
    this.#path = path.resolve(options.path);
    this.#onWarning = options.onWarning ?? (() => {});
    this.#codec = new FileStoreCodec(this.#path, options.encryptionKey, this.#onWarning);
    this.info = {
      backend: 'file',
      location: this.#path,
      encrypted: options.encryptionKey !== undefined,
      reason: options.reason,
    };
  }

  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    const entry = (await this.#read()).entries.get(key);
    return entry && isLive(entry, Date.now()) ? entry.value : undefined;
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.#assertOpen();
    const expiresAt = expiryFrom(options);
    await this.#update((entries) => {
      entries.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#update((entries) => entries.delete(key));
  }

  async keys(prefix: string): Promise<string[]> {
    this.#assertOpen();
    const now = Date.now();
    const { entries } = await this.#read();
    return [...entries]
      .filter(([key, entry]) => key.startsWith(prefix) && isLive(entry, now))
      .map(([key]) => key);
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    this.#assertOpen();
    const resolved = resolveLockOptions(options);
    await this.#prepare();
    return acquireLockFile(`${this.#path}.${lockFileName(name)}.lock`, name, resolved);
  }

  /** Lets writes already queued finish; later calls fail with store_unavailable. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writes;
    this.#cache = undefined;
  }

  /** Reads the document, re-reading the file only when another writer replaced it. */
  async #read(): Promise<DecodedDocument> {
    await this.#prepare();
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.#path, 'r');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw ioError('read', this.#path, error);
      this.#cache = undefined;
      return { entries: new Map(), salt: undefined };
    }
    try {
      const stat = await handle.stat({ bigint: true });
      const signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
      if (this.#cache?.signature === signature) return this.#cache.document;
      const document = await this.#codec.decode(await handle.readFile('utf8'));
      this.#cache = { signature, document };
      return document;
    } catch (error) {
      throw error instanceof OAuthToolError ? error : ioError('read', this.#path, error);
    } finally {
      await handle.close();
    }
  }

  /** Read-modify-write under the cross-process data lock, so concurrent processes never lose each other's writes. */
  #update(change: (entries: Map<string, StoredEntry>) => boolean): Promise<void> {
    const run = this.#writes.then(async () => {
      await this.#prepare();
      const release = await acquireLockFile(`${this.#path}.lock`, 'file store data', DATA_LOCK);
      try {
        const current = await this.#read();
        const now = Date.now();
        const entries = new Map([...current.entries].filter(([, entry]) => isLive(entry, now)));
        const changed = change(entries) || entries.size !== current.entries.size;
        if (!changed) return;
        const { text, salt } = await this.#codec.encode(entries, current.salt);
        await writeFileAtomic(this.#path, text);
        // Nobody else writes while we hold the lock, so this stat names exactly what we wrote.
        const stat = await fs.stat(this.#path, { bigint: true });
        this.#cache = {
          signature: `${stat.ino}:${stat.size}:${stat.mtimeNs}`,
          document: { entries, salt },
        };
      } finally {
        await release();
      }
    });
    this.#writes = run.catch(() => {});
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedStoreError(this.#path);
  }

  #prepare(): Promise<void> {
    this.#ready ??= this.#init().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #init(): Promise<void> {
    try {
      await fs.mkdir(path.dirname(this.#path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError('create the directory of', this.#path, error);
    }
    if (process.platform !== 'win32') {
      const stat = await fs.stat(this.#path).catch(() => undefined);
      if (stat && (stat.mode & 0o077) !== 0) {
        try {
          await fs.chmod(this.#path, 0o600);
        } catch (error) {
          throw ioError('restrict the permissions of', this.#path, error);
        }
        const was = (stat.mode & 0o777).toString(8).padStart(4, '0');
        this.#onWarning(`${this.#path} was readable by other users (mode ${was}); changed it to 0600`);
      }
    }
    await removeOrphanTempFiles(this.#path);
  }
}

function isLive(entry: StoredEntry, now: number): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > now;
}
