// The file store's document format: `{ v: 1, entries }` in plain text, or AES-256-GCM sealed as `{ v: 1, enc }`.
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

export interface StoredEntry {
  value: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
}

export interface DecodedDocument {
  entries: Map<string, StoredEntry>;
  /** The scrypt salt of an encrypted file, reused on rewrite so the derived key stays cached. */
  salt: Buffer | undefined;
}

/** Binds the ciphertext to this format so it cannot be replayed as some other blob. */
const AAD = Buffer.from('oauth-mcp-store:v1');

export class FileStoreCodec {
  readonly #path: string;
  readonly #passphrase: string | undefined;
  readonly #onWarning: (message: string) => void;
  readonly #keys = new Map<string, Promise<Buffer>>();
  #warnedPlain = false;

  constructor(path: string, passphrase: string | undefined, onWarning: (message: string) => void) {
    this.#path = path;
    this.#passphrase = passphrase;
    this.#onWarning = onWarning;
  }

  async decode(text: string): Promise<DecodedDocument> {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw this.#corrupt('not JSON');
    }
    if (!isRecord(doc) || doc.v !== 1) throw this.#corrupt('no "v": 1 document');
    if (doc.enc !== undefined) return this.#decrypt(doc.enc);
    const entries = this.#entries(doc.entries);
    if (this.#passphrase !== undefined && !this.#warnedPlain) {
      this.#warnedPlain = true;
      this.#onWarning(
        `${this.#path} is not encrypted yet; it will be encrypted with the store key on the next write`,
      );
    }
    return { entries, salt: undefined };
  }

  /** Returns the text and the salt it was sealed with (a new one for a file not yet encrypted). */
  async encode(
    entries: Map<string, StoredEntry>,
    salt: Buffer | undefined,
  ): Promise<{ text: string; salt: Buffer | undefined }> {
    const plain = JSON.stringify({ v: 1, entries: Object.fromEntries(entries) });
    if (this.#passphrase === undefined) return { text: `${plain}\n`, salt: undefined };
    const useSalt = salt ?? newSalt();
    const enc = {
      alg: SEAL_ALG,
      kdf: SEAL_KDF,
      salt: b64(useSalt),
      ...seal(await this.#key(useSalt), AAD, plain),
    };
    return { text: `${JSON.stringify({ v: 1, enc })}\n`, salt: useSalt };
  }

  async #decrypt(enc: unknown): Promise<DecodedDocument> {
    if (
      !isRecord(enc) ||
      !isSealHeader(enc.alg, enc.kdf) ||
      ![enc.salt, enc.iv, enc.tag, enc.data].every((field) => typeof field === 'string')
    ) {
      throw this.#corrupt('unknown encryption header');
    }
    if (this.#passphrase === undefined) {
      throw new OAuthToolError(
        'store_unavailable',
        `The token store file ${this.#path} is encrypted; set OAUTH_MCP_STORE_KEY to the key it was written with.`,
      );
    }
    const salt = Buffer.from(enc.salt as string, 'base64');
    let plain: string;
    try {
      plain = unseal(await this.#key(salt), AAD, enc as unknown as Sealed);
    } catch (error) {
      throw new OAuthToolError(
        'store_unavailable',
        `The store key does not decrypt ${this.#path}; set OAUTH_MCP_STORE_KEY to the key it was written with.`,
        { detail: error instanceof Error ? error.message : String(error) },
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(plain);
    } catch {
      throw this.#corrupt('decrypted content is not JSON');
    }
    if (!isRecord(doc)) throw this.#corrupt('decrypted content is not a document');
    return { entries: this.#entries(doc.entries), salt };
  }

  #entries(raw: unknown): Map<string, StoredEntry> {
    if (!isRecord(raw)) throw this.#corrupt('"entries" is not an object');
    const entries = new Map<string, StoredEntry>();
    for (const [key, entry] of Object.entries(raw)) {
      if (!isRecord(entry) || typeof entry.value !== 'string')
        throw this.#corrupt(`entry "${key}" has no string value`);
      if (entry.expiresAt === undefined) entries.set(key, { value: entry.value });
      else if (typeof entry.expiresAt === 'number')
        entries.set(key, { value: entry.value, expiresAt: entry.expiresAt });
      else throw this.#corrupt(`entry "${key}" has a non-numeric expiresAt`);
    }
    return entries;
  }

  #key(salt: Buffer): Promise<Buffer> {
    const id = b64(salt);
    let key = this.#keys.get(id);
    if (!key) {
      key = deriveKey(this.#passphrase ?? '', salt);
      this.#keys.set(id, key);
    }
    return key;
  }

  #corrupt(why: string): OAuthToolError {
    return new OAuthToolError(
      'store_unavailable',
      `The token store file ${this.#path} is corrupt (${why}). oauth-mcp will not overwrite it: ` +
        `move it aside (e.g. rename it to ${this.#path}.corrupt) and sign in again.`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
