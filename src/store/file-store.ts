// TokenStore in files shared by several processes: one file per record, atomic replace, cross-process lock files, optional AES-256-GCM.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OAuthToolError } from '../errors.js';
import { expiryFrom } from './expiry.js';
import { type DecodedDocument, FileStoreCodec, type RecordKeys } from './file-store-codec.js';
import { RecordFiles } from './file-store-records.js';
import { ioError, openStoreFile, removeOrphanTempFiles, writeFileAtomic } from './fs-io.js';
import { acquireLockFile, lockFileName } from './lock-file.js';
import { closedStoreError, resolveLockOptions } from './lock-wait.js';
import { newSalt } from './sealing.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export interface FileStoreOptions {
  /** The store's header file; records live in `<path>.d/`, both created 0600/0700 if missing. */
  path: string;
  /** A passphrase (OAUTH_MCP_STORE_KEY); when given, the file is AES-256-GCM encrypted. */
  encryptionKey?: string | undefined;
  /** Why this backend was chosen, shown in `info.reason`. */
  reason: string;
  /** Told about things the user should know but that do not fail a call (a file mode tightened). */
  onWarning?: ((message: string) => void) | undefined;
}

/** The data lock guards only a change of layout (the old document split into records); it renews nothing, so allow minutes. */
const DATA_LOCK = { waitMs: 120_000, staleMs: 120_000 };

export class FileStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #path: string;
  readonly #codec: FileStoreCodec;
  readonly #passphrase: string | undefined;
  readonly #onWarning: (message: string) => void;
  #ready: Promise<void> | undefined;
  /** Once the header names the records layout, it stays so: later calls read single records. */
  #records: RecordFiles | undefined;
  /** The old single document, while no process has written since the records layout arrived. */
  #cache: { signature: string; document: DecodedDocument } | undefined;
  /** Serializes this instance's own writes, so close() can wait for them. */
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: FileStoreOptions) {
    this.#path = path.resolve(options.path);
    this.#passphrase = options.encryptionKey;
    this.#onWarning = options.onWarning ?? (() => {});
    this.#codec = new FileStoreCodec(this.#path, options.encryptionKey);
    this.info = {
      backend: 'file',
      location: this.#path,
      encrypted: options.encryptionKey !== undefined,
      reason: options.reason,
    };
  }

  async get(key: string): Promise<string | undefined> {
    this.#assertOpen();
    const layout = await this.#layout();
    const entry = layout instanceof RecordFiles ? await layout.read(key) : layout.entries.get(key);
    return entry && isLive(entry, Date.now()) ? entry.value : undefined;
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.#assertOpen();
    const expiresAt = expiryFrom(options);
    await this.#write((files) =>
      files.write(key, expiresAt === undefined ? { value } : { value, expiresAt }),
    );
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#write((files) => files.remove(key));
  }

  async keys(prefix: string): Promise<string[]> {
    this.#assertOpen();
    const now = Date.now();
    const layout = await this.#layout();
    if (!(layout instanceof RecordFiles)) {
      return [...layout.entries]
        .filter(([key, entry]) => key.startsWith(prefix) && isLive(entry, now))
        .map(([key]) => key);
    }
    const found: string[] = [];
    for (const { key, expiresAt } of await layout.keys(prefix, now)) {
      if (isLive({ expiresAt }, now)) found.push(key);
      // Expired keys (abandoned sign-ins) are unique ids nobody writes again, so removing them races no writer.
      else await layout.remove(key);
    }
    return found;
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
    this.#records = undefined;
  }

  /** The records (once the header says so) or the old document, re-read only when another writer replaced it. */
  async #layout(): Promise<RecordFiles | DecodedDocument> {
    if (this.#records) return this.#records;
    await this.#prepare();
    const handle = await openStoreFile(this.#path, this.#onWarning);
    if (!handle) {
      this.#cache = undefined;
      return { entries: new Map(), salt: undefined };
    }
    try {
      const stat = await handle.stat({ bigint: true });
      const signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
      if (this.#cache?.signature === signature) return this.#cache.document;
      const decoded = await this.#codec.decode(await handle.readFile('utf8'));
      if ('entries' in decoded) {
        this.#cache = { signature, document: decoded };
        return decoded;
      }
      this.#cache = undefined;
      this.#records = this.#recordFiles(await this.#codec.recordKeys(decoded));
      return this.#records;
    } catch (error) {
      throw error instanceof OAuthToolError ? error : ioError('read', this.#path, error);
    } finally {
      await handle.close();
    }
  }

  /** A write to one record; the first write of a process that finds the old layout migrates first. */
  #write(change: (files: RecordFiles) => Promise<void>): Promise<void> {
    const run = this.#writes.then(async () => {
      const layout = await this.#layout();
      await change(layout instanceof RecordFiles ? layout : await this.#migrate());
    });
    this.#writes = run.catch(() => {});
    return run;
  }

  /**
   * Under the data lock: writes every live entry of the old document as a record, then switches the
   * header. A crash before the switch leaves the old document in charge and the next writer starts over.
   */
  async #migrate(): Promise<RecordFiles> {
    const release = await acquireLockFile(`${this.#path}.lock`, 'file store data', DATA_LOCK);
    try {
      this.#cache = undefined;
      const current = await this.#layout();
      if (current instanceof RecordFiles) return current;
      const salt = this.#passphrase === undefined ? undefined : (current.salt ?? newSalt());
      // Records a crashed migration left behind were never in charge.
      await fs.rm(this.#root(), { recursive: true, force: true });
      const files = this.#recordFiles(await this.#codec.recordKeys({ salt }));
      const now = Date.now();
      for (const [key, entry] of current.entries) if (isLive(entry, now)) await files.write(key, entry);
      await writeFileAtomic(this.#path, await this.#codec.encodeHeader(salt));
      this.#records = files;
      return files;
    } finally {
      await release();
    }
  }

  #recordFiles(keys: RecordKeys | undefined): RecordFiles {
    return new RecordFiles(this.#root(), this.#codec, keys, this.#onWarning);
  }

  #root(): string {
    return `${this.#path}.d`;
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
    await removeOrphanTempFiles(this.#path);
  }
}

function isLive(entry: { expiresAt?: number | undefined }, now: number): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > now;
}
