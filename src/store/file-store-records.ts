// The file store's records layout: one file per key in <path>.d/<namespace>/<kind>/, so an operation costs one record, not the store.
import { createHash, createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DecodedRecord, FileStoreCodec, RecordKeys, StoredEntry } from './file-store-codec.js';
import { errnoCode, fsyncDirectory, ioError, isProcessAlive, writeFileAtomic } from './fs-io.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';

/** Files read at once while listing, well under any open-file limit. */
const READ_BATCH = 64;
const TEMP = /\.(\d+)\.[0-9a-f]{12}\.tmp$/;

interface ListedRecord extends DecodedRecord {
  file: string;
}

export class RecordFiles {
  readonly #root: string;
  readonly #codec: FileStoreCodec;
  readonly #keys: RecordKeys | undefined;
  /** Hashed names, plain names, or both while a plain store is being sealed (a record may be under either). */
  readonly #namings: boolean[];

  constructor(root: string, codec: FileStoreCodec, keys: RecordKeys | undefined, resealing = false) {
    this.#namings = keys === undefined ? [false] : resealing ? [true, false] : [true];
    this.#root = root;
    this.#codec = codec;
    this.#keys = keys;
  }

  async read(key: string): Promise<StoredEntry | undefined> {
    for (const hashed of this.#namings) {
      const record = await this.#readFile(this.fileOf(key, hashed));
      if (record) return record.key === key ? record.entry : undefined;
    }
    return undefined;
  }

  /** Temp file, fsync, rename, directory fsync: a crash leaves the old record or the new one. */
  async write(key: string, entry: StoredEntry): Promise<void> {
    const file = this.fileOf(key);
    await this.#makeDirectory(path.dirname(file));
    await writeFileAtomic(file, this.#codec.encodeRecord(this.#keys, key, entry));
  }

  async remove(key: string): Promise<void> {
    for (const hashed of this.#namings) await this.removeFile(this.fileOf(key, hashed));
  }

  async removeFile(file: string): Promise<void> {
    try {
      await fs.rm(file);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw ioError('delete a record of', file, error);
    }
    await fsyncDirectory(path.dirname(file));
  }

  /** Drops the directories that sealing emptied, whose plain names would still tell kinds and namespaces. */
  async removeEmptyDirectories(): Promise<void> {
    for (const namespace of await this.#children(this.#root)) {
      for (const kind of await this.#children(namespace)) await fs.rmdir(kind).catch(() => {});
      await fs.rmdir(namespace).catch(() => {});
    }
  }

  /** The records whose key starts with `prefix`, reading only the namespace and kind directories it can match. */
  async list(prefix: string): Promise<ListedRecord[]> {
    const namespace = namespaceOfPrefix(prefix);
    const namespaces =
      namespace === undefined
        ? await this.#children(this.#root)
        : this.#namings.map((hashed) => path.join(this.#root, this.#name(namespace, hashed)));
    const rest = namespace === undefined ? '' : prefix.slice(namespace.length);
    const colon = rest.indexOf(':');
    const found: ListedRecord[] = [];
    for (const directory of namespaces) {
      const kinds =
        colon < 0
          ? await this.#children(directory)
          : this.#namings.map((hashed) => path.join(directory, this.#name(rest.slice(0, colon + 1), hashed)));
      for (const kind of kinds) {
        const files = await this.#files(kind);
        for (let i = 0; i < files.length; i += READ_BATCH) {
          const batch = files.slice(i, i + READ_BATCH);
          const records = await Promise.all(batch.map((file) => this.#readFile(file)));
          records.forEach((record, j) => {
            if (record?.key.startsWith(prefix)) found.push({ ...record, file: batch[j] as string });
          });
        }
      }
    }
    return found;
  }

  /** `u:<hash>:` / `<kind>:` / `<id>`: a principal's keys share a directory, and one kind of theirs a subdirectory. */
  fileOf(key: string, hashed = this.#keys !== undefined): string {
    const namespace = namespaceOf(key);
    const rest = key.slice(namespace.length);
    const kind = rest.slice(0, rest.indexOf(':') + 1);
    return path.join(
      this.#root,
      this.#name(namespace, hashed),
      this.#name(kind, hashed),
      this.#name(rest.slice(kind.length), hashed),
    );
  }

  /** Sealed stores name files by a keyed hash so names reveal no key; plain ones by the escaped key part. */
  #name(part: string, hashed: boolean): string {
    if (hashed && this.#keys)
      return createHmac('sha256', this.#keys.names).update(part).digest('base64url').slice(0, 32);
    if (part === '') return '%';
    const escaped = encodeURIComponent(part).replace(
      /[.!~*'()]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    return escaped.length <= 120 ? escaped : `%%${createHash('sha256').update(part).digest('hex')}`;
  }

  async #readFile(file: string): Promise<DecodedRecord | undefined> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw ioError('read', file, error);
    }
    return this.#codec.decodeRecord(this.#keys, text, file);
  }

  async #makeDirectory(directory: string): Promise<void> {
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
