// How a redis value is sealed: AES-256-GCM per value, bound to its key, with a scrypt key shared by every instance.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { OAuthToolError } from '../auth/errors.js';

const ALG = 'aes-256-gcm';
const KDF = { name: 'scrypt', N: 16_384, r: 8, p: 1 } as const;

/** The KDF header every instance reads from redis, so all of them derive the same key from the passphrase. */
export interface KdfHeader {
  alg: typeof ALG;
  kdf: typeof KDF;
  salt: string;
}

export function newKdfHeader(): KdfHeader {
  return { alg: ALG, kdf: KDF, salt: randomBytes(16).toString('base64') };
}

export function parseKdfHeader(text: string, where: string): KdfHeader {
  let header: Partial<KdfHeader> & { kdf?: Record<string, unknown> };
  try {
    header = JSON.parse(text);
  } catch {
    throw corrupt(where, 'the key header is not JSON');
  }
  const kdf: Record<string, unknown> = header.kdf ?? {};
  if (
    header.alg !== ALG ||
    kdf.name !== KDF.name ||
    kdf.N !== KDF.N ||
    kdf.r !== KDF.r ||
    kdf.p !== KDF.p ||
    typeof header.salt !== 'string'
  ) {
    throw corrupt(where, 'the key header names an unknown algorithm');
  }
  return { alg: ALG, kdf: KDF, salt: header.salt };
}

export class RedisValueCodec {
  readonly #key: Promise<Buffer>;
  readonly #where: string;

  constructor(passphrase: string, header: KdfHeader, where: string) {
    this.#where = where;
    this.#key = new Promise<Buffer>((resolve, reject) => {
      scrypt(passphrase, Buffer.from(header.salt, 'base64'), 32, KDF, (error, derived) =>
        error ? reject(error) : resolve(derived),
      );
    });
  }

  /** The key is authenticated data: a sealed value copied under another key does not open. */
  async seal(key: string, value: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALG, await this.#key, iv).setAAD(aad(key));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return JSON.stringify({ v: 1, iv: b64(iv), tag: b64(cipher.getAuthTag()), data: b64(data) });
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
      const decipher = createDecipheriv(ALG, await this.#key, Buffer.from(sealed.iv as string, 'base64'))
        .setAAD(aad(key))
        .setAuthTag(Buffer.from(sealed.tag as string, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.data as string, 'base64')),
        decipher.final(),
      ]).toString('utf8');
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

function b64(bytes: Buffer): string {
  return bytes.toString('base64');
}
