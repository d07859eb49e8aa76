// How a redis value is sealed: AES-256-GCM per value, bound to its key, with a scrypt key shared by every instance.
import { OAuthToolError } from '../errors.js';
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

/** The KDF header every instance reads from redis, so all of them derive the same key from the passphrase. */
export interface KdfHeader {
  alg: typeof SEAL_ALG;
  kdf: typeof SEAL_KDF;
  salt: string;
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
  readonly #key: Promise<Buffer>;
  readonly #where: string;

  constructor(passphrase: string, header: KdfHeader, where: string) {
    this.#where = where;
    this.#key = deriveKey(passphrase, Buffer.from(header.salt, 'base64'));
  }

  /** The key is authenticated data: a sealed value copied under another key does not open. */
  async seal(key: string, value: string): Promise<string> {
    return JSON.stringify({ v: 1, ...seal(await this.#key, aad(key), value) });
  }

  async open(key: string, text: string): Promise<string> {
    let sealed: { v?: unknown; iv?: unknown; tag?: unknown; data?: unknown };
    try {
      sealed = JSON.parse(text);
    } catch {
      throw corrupt(this.#where, `the value of ${key} is not a sealed value`);
    }
    if (sealed.v !== 1 || ![sealed.iv, sealed.tag, sealed.data].every((f) => typeof f === 'string')) {
      throw corrupt(this.#where, `the value of ${key} is not a sealed value`);
    }
    try {
      return unseal(await this.#key, aad(key), sealed as Sealed);
    } catch (error) {
      throw new OAuthToolError(
        'store_unavailable',
        `The store key does not decrypt ${key} in ${this.#where}; give every instance the same store.key / OAUTH_MCP_STORE_KEY that wrote it.`,
        { detail: error instanceof Error ? error.message : String(error) },
      );
    }
  }
}

function aad(key: string): Buffer {
  return Buffer.from(`oauth-mcp-redis:v1:${key}`, 'utf8');
}

function corrupt(where: string, why: string): OAuthToolError {
  return new OAuthToolError(
    'store_unavailable',
    `The redis store ${where} holds data oauth-mcp cannot read (${why}); was it written by another program? Use another database or key prefix, or delete the oauth-mcp keys and sign in again.`,
  );
}
