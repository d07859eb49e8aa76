// How the redis store hides and seals what it keeps: key names are a keyed MAC of the store key (a reader learns
// no handle, state, principal or session id), values are AES-256-GCM bound to their key and to the version their
// index entry names, with one scrypt key shared by every instance.
import { createHmac } from 'node:crypto';
import {
  b64,
  deriveKey,
  isSealHeader,
  newSalt,
  SEAL_ALG,
  SEAL_KDF,
  type Sealed,
  seal,
  unseal,
} from './sealing.js';
import { UnreadableValueError } from './token-store.js';

/** The KDF header every instance reads from redis, so all of them derive the same key from the passphrase. */
export interface KdfHeader {
  alg: typeof SEAL_ALG;
  kdf: typeof SEAL_KDF;
  salt: string;
}

/**
 * What a namespace's index says about one key: its name, the version its value was sealed with (a value
 * written back from an older copy does not open) and its expiry (epoch ms), so listing needs no value.
 */
export interface IndexEntry {
  key: string;
  version: string;
  expiresAt?: number;
}

export function newKdfHeader(): KdfHeader {
  return { alg: SEAL_ALG, kdf: SEAL_KDF, salt: b64(newSalt()) };
}

export function parseKdfHeader(text: string, where: string): KdfHeader {
  let header: Partial<KdfHeader> & { kdf?: Record<string, unknown> };
  try {
    header = JSON.parse(text);
  } catch {
    throw corrupt(where, 'the key header is not JSON');
  }
  if (!isSealHeader(header.alg, header.kdf) || typeof header.salt !== 'string') {
    throw corrupt(where, 'the key header names an unknown algorithm');
  }
  return { alg: SEAL_ALG, kdf: SEAL_KDF, salt: header.salt };
}

export class RedisValueCodec {
  readonly #keys: Promise<{ seal: Buffer; names: Buffer }>;
  readonly #where: string;

  constructor(passphrase: string, header: KdfHeader, where: string) {
    this.#where = where;
    this.#keys = deriveKey(passphrase, Buffer.from(header.salt, 'base64')).then((sealKey) => ({
      seal: sealKey,
      names: createHmac('sha256', sealKey).update('oauth-mcp-redis names').digest(),
    }));
  }

  /** The redis name of a store key, namespace or lock: 192 bits of HMAC, the same in every instance. */
  async name(part: string): Promise<string> {
    const { names } = await this.#keys;
    return createHmac('sha256', names).update(part).digest('base64url').slice(0, 32);
  }

  /** The index entry is bound to its field: one copied to another field does not open. */
  async sealIndex(field: string, entry: IndexEntry): Promise<string> {
    return this.#seal(`index:${field}`, JSON.stringify(entry));
  }

  async openIndex(field: string, text: string): Promise<IndexEntry> {
    const entry = parseJson(await this.#open(`index:${field}`, text, 'an index entry'));
    if (
      typeof entry?.key !== 'string' ||
      typeof entry.version !== 'string' ||
      (entry.expiresAt !== undefined && typeof entry.expiresAt !== 'number')
    ) {
      throw corrupt(this.#where, 'an index entry has no key and version');
    }
    return entry as unknown as IndexEntry;
  }

  /** The key and version are authenticated data: a value copied under another key, or an older one, does not open. */
  seal(key: string, version: string, value: string): Promise<string> {
    return this.#seal(valueContext(key, version), value);
  }

  open(key: string, version: string, text: string): Promise<string> {
    return this.#open(valueContext(key, version), text, `the value of ${key}`);
  }

  /** A sealed known text that every instance opens on connecting: a wrong store key fails there, not as an empty store. */
  keyCheck(): Promise<string> {
    return this.#seal('key check', KEY_CHECK);
  }

  async verifyKeyCheck(text: string): Promise<void> {
    if ((await this.#open('key check', text, 'the key check')) !== KEY_CHECK) {
      throw corrupt(this.#where, 'the key check holds another text');
    }
  }

  /** A value of the first layout (`d:<key>`, bound to its key only), read once to move it to this one. */
  openFirstLayout(key: string, text: string): Promise<string> {
    return this.#open(`oauth-mcp-redis:v1:${key}`, text, `the value of ${key}`, true);
  }

  async #seal(context: string, plain: string): Promise<string> {
    const { seal: key } = await this.#keys;
    return JSON.stringify({ v: 2, ...seal(key, aad(context), plain) });
  }

  async #open(context: string, text: string, what: string, firstLayout = false): Promise<string> {
    let sealed: { v?: unknown; iv?: unknown; tag?: unknown; data?: unknown };
    try {
      sealed = JSON.parse(text);
    } catch {
      throw corrupt(this.#where, `${what} is not a sealed value`);
    }
    if (
      sealed?.v !== (firstLayout ? 1 : 2) ||
      ![sealed.iv, sealed.tag, sealed.data].every((f) => typeof f === 'string')
    ) {
      throw corrupt(this.#where, `${what} is not a sealed value`);
    }
    const { seal: key } = await this.#keys;
    try {
      return unseal(key, firstLayout ? Buffer.from(context, 'utf8') : aad(context), sealed as Sealed);
    } catch (error) {
      throw new UnreadableValueError(
        `The store key does not decrypt ${what} in ${this.#where}, or it was written back from an older copy; give every instance the same store.key / OAUTH_MCP_STORE_KEY that wrote it, or sign in again.`,
        { detail: error instanceof Error ? error.message : String(error) },
      );
    }
  }
}

const KEY_CHECK = 'oauth-mcp redis store key check';

function valueContext(key: string, version: string): string {
  return `value:${version}:${key}`;
}

function aad(context: string): Buffer {
  return Buffer.from(`oauth-mcp-redis:v2:${context}`, 'utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function corrupt(where: string, why: string): UnreadableValueError {
  return new UnreadableValueError(
    `The redis store ${where} holds data oauth-mcp cannot read (${why}); was it written by another program? Use another database or key prefix, or delete the oauth-mcp keys and sign in again.`,
  );
}
