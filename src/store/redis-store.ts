// TokenStore on a redis server shared by several oauth-mcp instances: sealed values, native TTLs, SET NX PX locks.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { OAuthToolError } from '../errors.js';
import { LruCache } from '../lru-cache.js';
import { expiryFrom } from './expiry.js';
import { closedStoreError, lockTimeoutError, resolveLockOptions, retryUntil } from './lock-wait.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';
import {
  type IndexEntry,
  type KdfHeader,
  newKdfHeader,
  parseKdfHeader,
  RedisValueCodec,
} from './redis-store-codec.js';
import type { LockOptions, SetOptions, StoreInfo, TokenStore } from './token-store.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** The passphrase every value is sealed with (config store.key / OAUTH_MCP_STORE_KEY). */
  encryptionKey: string;
  /** Namespace of every key; default `oauth-mcp:`. */
  keyPrefix?: string;
  /** Connect and command timeout in ms; default 5 000. */
  timeoutMs?: number;
  reason?: string;
  onWarning?: (message: string) => void;
}

type Client = ReturnType<typeof newClient>;

/** Deletes the lock only while it still holds our token: a stale holder never frees its successor's lock. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Removes an expired index entry only if no instance has written the key again since it was read. */
const REMOVE_IF_SAME = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) else return 0 end`;
const SWEEP_EVERY_MS = 60_000;

export class RedisStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #options: RedisStoreOptions;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #warn: (message: string) => void;
  /** When this process last swept a namespace's index of expired entries. */
  readonly #swept = new LruCache<string, number>(1_000);
  #ready: Promise<{ client: Client; codec: RedisValueCodec }> | undefined;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#prefix = options.keyPrefix ?? 'oauth-mcp:';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#warn = options.onWarning ?? (() => {});
    this.info = {
      backend: 'redis',
      location: publicLocation(options.url),
      encrypted: true,
      reason: options.reason ?? 'store.type redis',
    };
  }

  /**
   * The value only while the namespace's index names it: a value written back after its key was deleted
   * (a revoked session) has no entry and is not returned; one older than its entry does not open.
   */
  async get(key: string): Promise<string | undefined> {
    const { client, codec } = await this.#connection();
    const { index, field, data } = await this.#names(codec, key);
    const [entryText, text] = (await this.#run(() =>
      client.multi().hGet(index, field).get(data).exec(),
    )) as unknown as [string | null, string | null];
    if (entryText === null) {
      if (text !== null)
        this.#warn(
          `redis store ${this.info.location}: ignored a value that no index entry names (written back after it was deleted?)`,
        );
      return undefined;
    }
    const entry = await codec.openIndex(field, entryText);
    if (entry.key !== key || text === null || !isLive(entry, Date.now())) return undefined;
    return codec.open(key, entry.version, text);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    const { client, codec } = await this.#connection();
    const expiresAt = expiryFrom(options);
    const index = await this.#put(client, codec, key, value, expiresAt);
    if (expiresAt !== undefined) await this.#sweepDue(index, codec);
  }

  /** The index entry and the value in one transaction, under a new version; returns the index written. */
  async #put(
    client: Client,
    codec: RedisValueCodec,
    key: string,
    value: string,
    expiresAt: number | undefined,
  ): Promise<string> {
    const { index, field, data } = await this.#names(codec, key);
    const version = randomBytes(12).toString('base64url');
    const entry: IndexEntry = expiresAt === undefined ? { key, version } : { key, version, expiresAt };
    const [sealedEntry, sealed] = await Promise.all([
      codec.sealIndex(field, entry),
      codec.seal(key, version, value),
    ]);
    const multi = client.multi().hSet(index, field, sealedEntry);
    if (expiresAt === undefined) multi.set(data, sealed);
    else multi.set(data, sealed, { expiration: { type: 'PXAT', value: expiresAt } });
    await this.#run(() => multi.exec());
    return index;
  }

  async delete(key: string): Promise<void> {
    const { client, codec } = await this.#connection();
    const { index, field, data } = await this.#names(codec, key);
    await this.#run(() => client.multi().hDel(index, field).del(data).exec());
  }

  /** One namespace's keys from its index (the cost does not grow with other users' keys); every index otherwise. */
  async keys(prefix: string): Promise<string[]> {
    const { codec } = await this.#connection();
    const namespace = namespaceOfPrefix(prefix);
    const indexes =
      namespace === undefined
        ? await this.#scan(`${this.#prefix}x:`)
        : [this.#index(await codec.name(namespace))];
    const found: string[] = [];
    for (const index of indexes) {
      for (const entry of await this.#liveEntries(index, codec))
        if (entry.key.startsWith(prefix)) found.push(entry.key);
    }
    return found;
  }

  /**
   * The live entries of one index; expired ones are removed (unless rewritten meanwhile) and an unreadable
   * one is skipped with a warning, so one damaged entry does not hide a user's other keys.
   */
  async #liveEntries(index: string, codec: RedisValueCodec): Promise<IndexEntry[]> {
    const { client } = await this.#connection();
    const fields = await this.#run(() => client.hGetAll(index));
    const now = Date.now();
    const live: IndexEntry[] = [];
    for (const [field, text] of Object.entries(fields)) {
      let entry: IndexEntry;
      try {
        entry = await codec.openIndex(field, text);
      } catch (error) {
        this.#warn(
          `redis store ${this.info.location}: skipped an index entry it cannot read (${(error as Error).message})`,
        );
        continue;
      }
      if (isLive(entry, now)) live.push(entry);
      else await this.#run(() => client.eval(REMOVE_IF_SAME, { keys: [index], arguments: [field, text] }));
    }
    return live;
  }

  /** Pending sign-ins are written and forgotten by the thousand: their expired index entries go once a minute. */
  async #sweepDue(index: string, codec: RedisValueCodec): Promise<void> {
    const last = this.#swept.get(index);
    if (last !== undefined && Date.now() - last < SWEEP_EVERY_MS) return;
    this.#swept.set(index, Date.now());
    await this.#liveEntries(index, codec);
  }

  async #scan(pattern: string): Promise<string[]> {
    const { client } = await this.#connection();
    return this.#run(() => this.#scanWith(client, pattern));
  }

  /** Every redis key that starts with `start`. */
  async #scanWith(client: Client, start: string): Promise<string[]> {
    const found = new Set<string>();
    for await (const batch of client.scanIterator({ MATCH: `${globEscape(start)}*`, COUNT: 500 })) {
      for (const key of batch) found.add(key);
    }
    return [...found];
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    const { waitMs, staleMs } = resolveLockOptions(options);
    const { client, codec } = await this.#connection();
    const lockKey = `${this.#prefix}l:${await codec.name(name)}`;
    const token = randomBytes(16).toString('base64url');
    await retryUntil(
      async () => {
        const got = await this.#run(() =>
          client.set(lockKey, token, {
            condition: 'NX',
            expiration: { type: 'PX', value: Math.ceil(staleMs) },
          }),
        );
        return got === 'OK' ? true : undefined;
      },
      waitMs,
      () => lockTimeoutError(name, waitMs, this.info.location),
    );
    return async () => {
      if (this.#closed) return;
      await this.#run(() => client.eval(RELEASE_SCRIPT, { keys: [lockKey], arguments: [token] }));
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const ready = this.#ready;
    this.#ready = undefined;
    const connection = await ready?.catch(() => undefined);
    if (connection?.client.isOpen) await connection.client.close().catch(() => connection.client.destroy());
  }

  /** `<prefix>k:<name>` holds a key's value, `<prefix>x:<name of its namespace>` its index entry under `<name>`. */
  async #names(codec: RedisValueCodec, key: string): Promise<{ index: string; field: string; data: string }> {
    const [field, namespace] = await Promise.all([codec.name(key), codec.name(namespaceOf(key))]);
    return { index: this.#index(namespace), field, data: `${this.#prefix}k:${field}` };
  }

  #index(namespaceName: string): string {
    return `${this.#prefix}x:${namespaceName}`;
  }

  /** Connects on first use, so start-up never waits for redis; a failed attempt is retried on the next call. */
  #connection(): Promise<{ client: Client; codec: RedisValueCodec }> {
    if (this.#closed) return Promise.reject(closedStoreError(this.info.location));
    if (!this.#ready) {
      this.#ready = this.#connect();
      this.#ready.catch(() => {
        this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async #connect(): Promise<{ client: Client; codec: RedisValueCodec }> {
    let warned = false;
    const client = newClient(this.#options.url, this.#timeoutMs);
    client.on('error', (error: Error) => {
      if (warned) return;
      warned = true;
      this.#options.onWarning?.(`redis store at ${this.info.location}: ${error.message}`);
    });
    client.on('ready', () => {
      warned = false;
    });
    try {
      await withTimeout(client.connect(), this.#timeoutMs);
      const header = await this.#kdfHeader(client);
      const codec = new RedisValueCodec(this.#options.encryptionKey, header, this.info.location);
      await this.#checkKey(client, codec);
      await this.#moveFirstLayout(client, codec);
      return { client, codec };
    } catch (error) {
      client.destroy();
      throw unavailable(this.info.location, error);
    }
  }

  /** The first instance writes the salt; every later one reads the same (SET NX makes the race harmless). */
  async #kdfHeader(client: Client): Promise<KdfHeader> {
    const key = `${this.#prefix}meta:kdf`;
    await client.set(key, JSON.stringify(newKdfHeader()), { condition: 'NX' });
    const text = await client.get(key);
    if (text === null) throw new Error(`${key} vanished right after it was written`);
    return parseKdfHeader(text, this.info.location);
  }

  /** Names are MACs of the key: with another key every lookup would just miss, so the key is checked first. */
  async #checkKey(client: Client, codec: RedisValueCodec): Promise<void> {
    const key = `${this.#prefix}meta:check`;
    await client.set(key, await codec.keyCheck(), { condition: 'NX' });
    const text = await client.get(key);
    if (text === null) throw new Error(`${key} vanished right after it was written`);
    await codec.verifyKeyCheck(text);
  }

  /**
   * The first layout kept values under `d:<key>` and each user's keys in a set `i:<namespace>`, names that
   * told a reader handles, states and session ids. Its values move to keyed names once, expiry kept; a
   * value the key does not open fails the connection as any read would.
   */
  async #moveFirstLayout(client: Client, codec: RedisValueCodec): Promise<void> {
    const marker = `${this.#prefix}meta:layout`;
    if ((await client.get(marker)) === '2') return;
    const first = `${this.#prefix}d:`;
    for (const old of await this.#scanWith(client, first)) {
      const [text, pttl] = (await client.multi().get(old).pTTL(old).exec()) as unknown as [
        string | null,
        number,
      ];
      if (text !== null) {
        const key = old.slice(first.length);
        const value = await codec.openFirstLayout(key, text);
        await this.#put(client, codec, key, value, pttl > 0 ? Date.now() + pttl : undefined);
      }
      await client.del(old);
    }
    const oldIndexes = await this.#scanWith(client, `${this.#prefix}i:`);
    if (oldIndexes.length > 0) await client.del(oldIndexes);
    await client.set(marker, '2');
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw closedStoreError(this.info.location);
    try {
      return await withTimeout(command(), this.#timeoutMs);
    } catch (error) {
      if (error instanceof OAuthToolError) throw error;
      throw unavailable(this.info.location, error);
    }
  }
}

function newClient(url: string, timeoutMs: number) {
  return createClient({
    url,
    // Commands fail at once while redis is unreachable instead of queueing (a tool call must not hang).
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
}

function unavailable(location: string, error: unknown): OAuthToolError {
  if (error instanceof OAuthToolError) return error;
  return new OAuthToolError(
    'store_unavailable',
    `The redis store at ${location} is not reachable or refused the command; check that redis is running and store.url is right, then retry.`,
    { detail: error instanceof Error ? error.message : String(error), cause: error },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `redis://host:port/db` without credentials, for info and messages. */
export function publicLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis (store.url is not a valid URL)';
  }
}

function globEscape(text: string): string {
  return text.replace(/[\\*?[\]^]/g, '\\$&');
}

function isLive(entry: { expiresAt?: number | undefined }, now: number): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > now;
}
