// The file store's records layout: one file per key in <path>.d/<namespace>/<kind>/, so an operation costs one record, not the store.
import { createHash, createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LruCache } from '../lru-cache.js';
import type { DecodedRecord, FileStoreCodec, RecordKeys, StoredEntry } from './file-store-codec.js';
import {
  checkStoreDirectory,
  errnoCode,
  fsyncDirectory,
  ioError,
  isProcessAlive,
  readStoreFile,
  writeFileAtomic,
} from './fs-io.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';

/** Files read at once while listing, well under any open-file limit. */
const READ_BATCH = 64;
/** Record files whose key this process remembers: about 300 bytes each, so a few MiB at most. */
const KNOWN_FILES = 20_000;
const TEMP = /\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** A record's key and expiry, without its value. */
export interface ListedKey {
  key: string;
  expiresAt: number | undefined;
}

export class RecordFiles {
  readonly #root: string;
  readonly #codec: FileStoreCodec;
  readonly #keys: RecordKeys | undefined;
  /**
   * File -> key and expiry, so listing keys reads only files not seen before (not every record each
   * time). Sound across processes because a file's name is a function of its key: a name never comes
   * to hold another key, a deleted record drops out of the directory listing, and only the expiry may
   * change when another process sets the key again, so an entry remembered as expired is read again.
   */
  readonly #known = new LruCache<string, ListedKey>(KNOWN_FILES);

  readonly #onWarning: (message: string) => void;

  constructor(
    root: string,
    codec: FileStoreCodec,
    keys: RecordKeys | undefined,
    onWarning: (message: string) => void,
  ) {
    this.#root = root;
    this.#codec = codec;
    this.#keys = keys;
    this.#onWarning = onWarning;
  }

  async read(key: string): Promise<StoredEntry | undefined> {
    const record = await this.#readFile(this.fileOf(key));
    return record?.key === key ? record.entry : undefined;
  }

  /** Temp file, fsync, rename, directory fsync: a crash leaves the old record or the new one. */
  async write(key: string, entry: StoredEntry): Promise<void> {
    const file = this.fileOf(key);
    await this.#makeDirectory(path.dirname(file));
    await writeFileAtomic(file, this.#codec.encodeRecord(this.#keys, key, entry));
    this.#known.set(file, { key, expiresAt: entry.expiresAt });
  }

  async remove(key: string): Promise<void> {
    await this.#removeFile(this.fileOf(key));
  }

  async #removeFile(file: string): Promise<void> {
    this.#known.delete(file);
    try {
      await fs.rm(file);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw ioError('delete a record of', file, error);
    }
    await fsyncDirectory(path.dirname(file));
  }

  /** The keys (and expiry) of the records whose key starts with `prefix`, reading only files not known yet. */
  async keys(prefix: string, now: number): Promise<ListedKey[]> {
    const found: ListedKey[] = [];
    const unknown: string[] = [];
    for (const file of await this.#filesUnder(prefix)) {
      const known = this.#known.get(file);
      if (known && (known.expiresAt === undefined || known.expiresAt > now)) {
        if (known.key.startsWith(prefix)) found.push(known);
      } else unknown.push(file);
    }
    for (let i = 0; i < unknown.length; i += READ_BATCH) {
      const batch = unknown.slice(i, i + READ_BATCH);
      for (const record of await Promise.all(batch.map((file) => this.#readFile(file)))) {
        if (record?.key.startsWith(prefix))
          found.push({ key: record.key, expiresAt: record.entry.expiresAt });
      }
    }
    return found;
  }

  /** Record files that may hold keys starting with `prefix`: only the namespace and kind directories it can match. */
  async #filesUnder(prefix: string): Promise<string[]> {
    const namespace = namespaceOfPrefix(prefix);
    const namespaces =
      namespace === undefined
        ? await this.#children(this.#root)
        : [path.join(this.#root, this.#name(namespace))];
    const rest = namespace === undefined ? '' : prefix.slice(namespace.length);
    const colon = rest.indexOf(':');
    const files: string[] = [];
    for (const directory of namespaces) {
      const kinds =
        colon < 0
          ? await this.#children(directory)
          : [path.join(directory, this.#name(rest.slice(0, colon + 1)))];
      for (const kind of kinds) files.push(...(await this.#files(kind)));
    }
    return files;
  }

  /** `u:<hash>:` / `<kind>:` / `<id>`: a principal's keys share a directory, and one kind of theirs a subdirectory. */
  fileOf(key: string): string {
    const namespace = namespaceOf(key);
    const rest = key.slice(namespace.length);
    const kind = rest.slice(0, rest.indexOf(':') + 1);
    return path.join(
      this.#root,
      this.#name(namespace),
      this.#name(kind),
      this.#name(rest.slice(kind.length)),
    );
  }

  /** Sealed stores name files by a keyed hash so names reveal no key; plain ones by the escaped key part. */
  #name(part: string): string {
    if (this.#keys)
      return createHmac('sha256', this.#keys.names).update(part).digest('base64url').slice(0, 32);
    if (part === '') return '%';
    const escaped = encodeURIComponent(part).replace(
      /[.!~*'()]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    return escaped.length <= 120 ? escaped : `%%${createHash('sha256').update(part).digest('hex')}`;
  }

  async #readFile(file: string): Promise<DecodedRecord | undefined> {
    await this.#checkDirectoriesOf(file);
    const text = await readStoreFile(file, this.#onWarning);
    if (text === undefined) {
      this.#known.delete(file);
      return undefined;
    }
    const record = this.#codec.decodeRecord(this.#keys, text, file);
    this.#known.set(file, { key: record.key, expiresAt: record.entry.expiresAt });
    return record;
  }

  /** The store's directories from the root down to the one holding `file`, each checked as it is now. */
  async #checkDirectoriesOf(file: string): Promise<void> {
    const parts = path.relative(this.#root, path.dirname(file)).split(path.sep).filter(Boolean);
    let directory = this.#root;
    await checkStoreDirectory(directory, this.#onWarning);
    for (const part of parts) {
      directory = path.join(directory, part);
      await checkStoreDirectory(directory, this.#onWarning);
    }
  }

  async #makeDirectory(directory: string): Promise<void> {
    await this.#checkDirectoriesOf(path.join(directory, 'record'));
    let made: string | undefined;
    try {
      made = await fs.mkdir(directory, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError('create the directory', directory, error);
    }
    if (made === undefined) return;
    // A new directory's own entry must reach the disk too, or a power cut could lose it with the record.
    const depth = path.relative(made, directory).split(path.sep).filter(Boolean);
    let dir = made;
    await fsyncDirectory(path.dirname(dir));
    for (const part of depth) {
      await fsyncDirectory(dir);
      dir = path.join(dir, part);
    }
  }

  async #children(directory: string): Promise<string[]> {
    await checkStoreDirectory(directory, this.#onWarning);
    try {
      const entries = await fs.readdir(directory, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(directory, entry.name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw ioError('list', directory, error);
    }
  }

  /** Record files of one directory; temp files of writers that died mid-write are removed on the way. */
  async #files(directory: string): Promise<string[]> {
    await checkStoreDirectory(directory, this.#onWarning);
    let names: string[];
    try {
      names = await fs.readdir(directory);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw ioError('list', directory, error);
    }
    const files: string[] = [];
    for (const name of names) {
      const pid = TEMP.exec(name)?.[1];
      if (pid === undefined) files.push(path.join(directory, name));
      else if (Number(pid) !== process.pid && !isProcessAlive(Number(pid)))
        await fs.rm(path.join(directory, name), { force: true }).catch(() => {});
    }
    return files;
  }
}
