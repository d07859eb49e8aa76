// TokenStore on a redis server shared by several oauth-mcp instances: sealed values, native TTLs, SET NX PX locks.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { OAuthToolError } from '../auth/errors.js';
import { closedStoreError, lockTimeoutError, resolveLockOptions, retryUntil } from './lock-wait.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';
import { type KdfHeader, newKdfHeader, parseKdfHeader, RedisValueCodec } from './redis-store-codec.js';
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
type Multi = ReturnType<Client['multi']>;

/** Deletes the lock only while it still holds our token: a stale holder never frees its successor's lock. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisStore implements TokenStore {
  readonly info: StoreInfo;
  readonly #options: RedisStoreOptions;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #ready: Promise<{ client: Client; codec: RedisValueCodec }> | undefined;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#prefix = options.keyPrefix ?? 'oauth-mcp:';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.info = {
      backend: 'redis',
      location: publicLocation(options.url),
      encrypted: true,
      reason: options.reason ?? 'store.type redis',
    };
  }

  async get(key: string): Promise<string | undefined> {
    const { client, codec } = await this.#connection();
    const text = await this.#run(() => client.get(this.#data(key)));
    return text === null ? undefined : codec.open(key, text);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    const { client, codec } = await this.#connection();
    const sealed = await codec.seal(key, value);
    if (options.ttlSeconds !== undefined) {
      if (!(options.ttlSeconds > 0))
        throw new RangeError(`ttlSeconds must be > 0 (got ${options.ttlSeconds})`);
      const ms = Math.ceil(options.ttlSeconds * 1000);
      const multi = this.#indexed(client.multi(), key, 'add');
      multi.set(this.#data(key), sealed, { expiration: { type: 'PX', value: ms } });
      await this.#run(() => multi.exec());
    } else {
      const multi = this.#indexed(client.multi(), key, 'add');
      multi.set(this.#data(key), sealed);
      await this.#run(() => multi.exec());
    }
  }

  async delete(key: string): Promise<void> {
    const { client } = await this.#connection();
    const multi = this.#indexed(client.multi(), key, 'remove');
    multi.del(this.#data(key));
    await this.#run(() => multi.exec());
  }

  async keys(prefix: string): Promise<string[]> {
    const namespace = namespaceOfPrefix(prefix);
    if (namespace) return this.#indexedKeys(namespace, prefix);
    return this.#scan(prefix);
  }

  /** A principal's keys are in `<prefix>i:<namespace>`, written in the same transaction as the key. */
  #indexed(multi: Multi, key: string, op: 'add' | 'remove'): Multi {
    const namespace = namespaceOf(key);
    if (namespace && op === 'add') multi.sAdd(this.#index(namespace), key);
    if (namespace && op === 'remove') multi.sRem(this.#index(namespace), key);
    return multi;
  }

  /**
   * One user's keys from their index: the cost does not grow with other users' keys. A namespace written
   * before the index existed is scanned once and indexed; keys gone by their TTL are pruned from it.
   */
  async #indexedKeys(namespace: string, prefix: string): Promise<string[]> {
    const { client } = await this.#connection();
    const complete = `${this.#index(namespace)}:complete`;
    if (!(await this.#run(() => client.exists(complete)))) {
      const found = await this.#scan(namespace);
      const multi = client.multi();
      if (found.length > 0) multi.sAdd(this.#index(namespace), found);
      await this.#run(() => multi.set(complete, '1').exec());
    }
    const members = (await this.#run(() => client.sMembers(this.#index(namespace)))).filter((key) =>
      key.startsWith(prefix),
    );
    if (members.length === 0) return [];
    const exists = client.multi();
    for (const key of members) exists.exists(this.#data(key));
    const live = (await this.#run(() => exists.exec())) as unknown as number[];
    const gone = members.filter((_key, i) => !live[i]);
    if (gone.length > 0) await this.#run(() => client.sRem(this.#index(namespace), gone));
    return members.filter((_key, i) => live[i]);
  }

  async #scan(prefix: string): Promise<string[]> {
    const { client } = await this.#connection();
    const dataPrefix = this.#data('');
    const found = new Set<string>();
    await this.#run(async () => {
      for await (const batch of client.scanIterator({
        MATCH: `${globEscape(this.#data(prefix))}*`,
        COUNT: 500,
      })) {
        for (const key of batch) found.add(key.slice(dataPrefix.length));
      }
    });
    return [...found];
  }

  async lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    const { waitMs, staleMs } = resolveLockOptions(options);
    const { client } = await this.#connection();
    const lockKey = `${this.#prefix}lock:${name}`;
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

  #data(key: string): string {
    return `${this.#prefix}d:${key}`;
  }

  #index(namespace: string): string {
    return `${this.#prefix}i:${namespace}`;
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
      return { client, codec: new RedisValueCodec(this.#options.encryptionKey, header, this.info.location) };
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
