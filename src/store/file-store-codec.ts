// The file store's formats: the header at the store path (records layout) or the old single document, and one record per key; sealed with store/sealing.ts.
import { createHmac } from 'node:crypto';
import { OAuthToolError } from '../errors.js';
import {
  SEAL_ALG as ALG,
  b64,
  deriveKey,
  isSealHeader,
  SEAL_KDF as KDF,
  newSalt,
  seal as sealWith,
  unseal,
} from './sealing.js';

export interface StoredEntry {
  value: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
}

/** The store path's content once records live in their own files: whether and how they are sealed. */
interface RecordsHeader {
  /** The scrypt salt when records are sealed. */
  salt: Buffer | undefined;
}

/** What the records are sealed and their file names derived with (a keyed hash, so names reveal no key). */
export interface RecordKeys {
  seal: Buffer;
  names: Buffer;
}

export interface DecodedRecord {
  key: string;
  entry: StoredEntry;
}

export interface DecodedDocument {
  entries: Map<string, StoredEntry>;
  /** The scrypt salt of an encrypted file, reused on rewrite so the derived key stays cached. */
  salt: Buffer | undefined;
}

/** Binds the ciphertext to this format so it cannot be replayed as some other blob. */
const AAD = Buffer.from('oauth-mcp-store:v1');
const RECORD_AAD = Buffer.from('oauth-mcp-store-record:v1');
const CHECK_AAD = Buffer.from('oauth-mcp-store-check:v1');
const CHECK = 'oauth-mcp store key check';

export class FileStoreCodec {
  readonly #path: string;
  readonly #passphrase: string | undefined;
  readonly #keys = new Map<string, Promise<Buffer>>();

  constructor(path: string, passphrase: string | undefined) {
    this.#path = path;
    this.#passphrase = passphrase;
  }

  async decode(text: string): Promise<DecodedDocument | RecordsHeader> {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw this.#corrupt('not JSON');
    }
    if (!isRecord(doc) || doc.v !== 1) throw this.#corrupt('no "v": 1 document');
    if (doc.layout === 'records') return this.#header(doc);
    if (doc.enc !== undefined) return this.#decrypt(doc.enc);
    if (this.#passphrase !== undefined) throw this.#plainWithKey();
    return { entries: this.#entries(doc.entries), salt: undefined };
  }

  /** Returns the text and the salt it was sealed with (a new one for a file not yet encrypted). */
  async encode(
    entries: Map<string, StoredEntry>,
    salt: Buffer | undefined,
  ): Promise<{ text: string; salt: Buffer | undefined }> {
    const plain = JSON.stringify({ v: 1, entries: Object.fromEntries(entries) });
    if (this.#passphrase === undefined) return { text: `${plain}\n`, salt: undefined };
    const useSalt = salt ?? newSalt();
    const enc = { alg: ALG, kdf: KDF, salt: b64(useSalt), ...sealWith(await this.#key(useSalt), AAD, plain) };
    return { text: `${JSON.stringify({ v: 1, enc })}\n`, salt: useSalt };
  }

  /** The header's text: plain, or naming the salt with a sealed check the key must open. */
  async encodeHeader(salt: Buffer | undefined): Promise<string> {
    if (salt === undefined) return `${JSON.stringify({ v: 1, layout: 'records' })}\n`;
    const check = sealWith(await this.#key(salt), CHECK_AAD, CHECK);
    const enc = { alg: ALG, kdf: KDF, salt: b64(salt), ...check };
    return `${JSON.stringify({ v: 1, layout: 'records', enc })}\n`;
  }

  /** The keys of a sealed store, derived once per salt. */
  async recordKeys(header: RecordsHeader): Promise<RecordKeys | undefined> {
    if (header.salt === undefined) return undefined;
    const seal = await this.#key(header.salt);
    return { seal, names: createHmac('sha256', seal).update('oauth-mcp-store names').digest() };
  }

  encodeRecord(keys: RecordKeys | undefined, key: string, entry: StoredEntry): string {
    if (keys === undefined) return `${JSON.stringify({ v: 1, key, ...entry })}\n`;
    const plain = JSON.stringify({ key, ...entry });
    return `${JSON.stringify({ v: 1, enc: sealWith(keys.seal, RECORD_AAD, plain) })}\n`;
  }

  decodeRecord(keys: RecordKeys | undefined, text: string, file: string): DecodedRecord {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw this.#corrupt('not JSON', file);
    }
    if (!isRecord(doc) || doc.v !== 1) throw this.#corrupt('no "v": 1 record', file);
    if (keys !== undefined && !isRecord(doc.enc))
      throw this.#corrupt('a plain record in an encrypted store, which oauth-mcp never wrote', file);
    if (isRecord(doc.enc)) {
      if (keys === undefined) throw this.#corrupt('a sealed record in a store without a key', file);
      const { iv, tag, data } = doc.enc;
      if (![iv, tag, data].every((part) => typeof part === 'string')) throw this.#corrupt('bad seal', file);
      try {
        doc = JSON.parse(
          unseal(keys.seal, RECORD_AAD, { iv: iv as string, tag: tag as string, data: data as string }),
        );
      } catch {
        throw this.#corrupt('its seal does not open with the store key', file);
      }
    }
    const record = doc;
    if (!isRecord(record) || typeof record.key !== 'string') throw this.#corrupt('no key', file);
    const entry = this.#entries({ [record.key]: record }, file).get(record.key) as StoredEntry;
    return { key: record.key, entry };
  }

  async #header(doc: Record<string, unknown>): Promise<RecordsHeader> {
    if (doc.enc === undefined) {
      if (this.#passphrase !== undefined) throw this.#plainWithKey();
      return { salt: undefined };
    }
    const enc = doc.enc;
    if (!this.#isSealHeader(enc) || typeof enc.salt !== 'string')
      throw this.#corrupt('unknown encryption header');
    if (this.#passphrase === undefined) throw this.#needsKey();
    // An older version marked a store it was sealing; its plain records are not taken in.
    if (doc.resealing !== undefined) throw this.#plainWithKey();
    const salt = Buffer.from(enc.salt, 'base64');
    try {
      unseal(await this.#key(salt), CHECK_AAD, {
        iv: enc.iv as string,
        tag: enc.tag as string,
        data: enc.data as string,
      });
    } catch (error) {
      throw this.#wrongKey(error);
    }
    return { salt };
  }

  async #decrypt(enc: unknown): Promise<DecodedDocument> {
    if (!this.#isSealHeader(enc)) throw this.#corrupt('unknown encryption header');
    if (this.#passphrase === undefined) throw this.#needsKey();
    const salt = Buffer.from(enc.salt as string, 'base64');
    let plain: string;
    try {
      plain = unseal(await this.#key(salt), AAD, {
        iv: enc.iv as string,
        tag: enc.tag as string,
        data: enc.data as string,
      });
    } catch (error) {
      throw this.#wrongKey(error);
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

  #entries(raw: unknown, file = this.#path): Map<string, StoredEntry> {
    if (!isRecord(raw)) throw this.#corrupt('"entries" is not an object', file);
    const entries = new Map<string, StoredEntry>();
    for (const [key, entry] of Object.entries(raw)) {
      if (!isRecord(entry) || typeof entry.value !== 'string')
        throw this.#corrupt(`entry "${key}" has no string value`, file);
      if (entry.expiresAt === undefined) entries.set(key, { value: entry.value });
      else if (typeof entry.expiresAt === 'number')
        entries.set(key, { value: entry.value, expiresAt: entry.expiresAt });
      else throw this.#corrupt(`entry "${key}" has a non-numeric expiresAt`, file);
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

  #isSealHeader(enc: unknown): enc is Record<string, unknown> {
    return (
      isRecord(enc) &&
      isSealHeader(enc.alg, enc.kdf) &&
      [enc.salt, enc.iv, enc.tag, enc.data].every((field) => typeof field === 'string')
    );
  }

  /**
   * With a key, plain data is never taken in: a plain header could be an attacker's rewrite, planting
   * sessions the store would then seal as its own.
   */
  #plainWithKey(): OAuthToolError {
    return new OAuthToolError(
      'store_unavailable',
      `The token store file ${this.#path} is not encrypted, but a store key is set; oauth-mcp does not take plain data into an encrypted store. ` +
        `Move ${this.#path} and ${this.#path}.d aside and sign in again (they are then encrypted), or unset OAUTH_MCP_STORE_KEY / store.key to use them unencrypted.`,
    );
  }

  #needsKey(): OAuthToolError {
    return new OAuthToolError(
      'store_unavailable',
      `The token store file ${this.#path} is encrypted; set OAUTH_MCP_STORE_KEY to the key it was written with.`,
    );
  }

  #wrongKey(error: unknown): OAuthToolError {
    return new OAuthToolError(
      'store_unavailable',
      `The store key does not decrypt ${this.#path}; set OAUTH_MCP_STORE_KEY to the key it was written with.`,
      { detail: error instanceof Error ? error.message : String(error) },
    );
  }

  #corrupt(why: string, file = this.#path): OAuthToolError {
    return new OAuthToolError(
      'store_unavailable',
      `The token store file ${file} is corrupt (${why}). oauth-mcp will not overwrite it: ` +
        `move it aside (e.g. rename it to ${file}.corrupt) and sign in again.`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
