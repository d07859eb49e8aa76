// How one store value becomes keychain items: a small head item, or a manifest plus chunks with a SHA-256.
import { createHash, randomBytes } from 'node:crypto';

/** Bytes one keychain item may hold, as the platform counts them. */
export interface ItemLimit {
  maxBytes: number;
  /** Windows stores passwords as UTF-16 (2 bytes per code unit); the others store UTF-8. */
  encoding: 'utf8' | 'utf16le';
}

/**
 * The head item stored under the store key itself. `exp` is an absolute expiry (epoch ms) because
 * keychains have no TTL; a chunked head names its chunks by a fresh generation id, so a crash
 * mid-write leaves the previous head pointing at complete chunks.
 */
type Head = { f: 1; exp?: number } & (
  | { value: string }
  | { chunks: number; gen: string; length: number; sha256: string }
);

interface Encoded {
  head: Head;
  /** The chunk items to write before the head, in order. */
  chunks: string[];
}

const MIN_BYTES = 256;

export function defaultItemLimit(platform: NodeJS.Platform = process.platform): ItemLimit {
  // Windows Credential Manager rejects blobs over 2,560 bytes; the others take far more, but a
  // bounded item keeps D-Bus messages and Keychain records reasonable.
  return platform === 'win32'
    ? { maxBytes: 2_560, encoding: 'utf16le' }
    : { maxBytes: 64 * 1024, encoding: 'utf8' };
}

export function checkItemLimit(limit: ItemLimit): void {
  if (!Number.isInteger(limit.maxBytes) || limit.maxBytes < MIN_BYTES) {
    throw new RangeError(
      `a keychain item limit must be an integer >= ${MIN_BYTES} bytes (got ${limit.maxBytes})`,
    );
  }
}

export function encodeValue(value: string, limit: ItemLimit, exp?: number): Encoded {
  const expiry = exp === undefined ? {} : { exp };
  const direct: Head = { f: 1, ...expiry, value };
  if (measure(JSON.stringify(direct), limit) <= limit.maxBytes) return { head: direct, chunks: [] };
  const chunks = split(value, limit);
  return {
    head: {
      f: 1,
      ...expiry,
      chunks: chunks.length,
      gen: newGeneration(),
      length: value.length,
      sha256: sha256(value),
    },
    chunks,
  };
}

/** Joins the chunks of a chunked head; `undefined` when a chunk is missing or the checksum does not match. */
export function joinChunks(head: Head, chunks: (string | null)[]): string | undefined {
  if (!('chunks' in head) || chunks.length !== head.chunks || chunks.some((c) => c === null))
    return undefined;
  const value = chunks.join('');
  return value.length === head.length && sha256(value) === head.sha256 ? value : undefined;
}

/** Parses a head item; `undefined` when the text is not one (damaged, or written by someone else). */
export function parseHead(text: string): Head | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || (json as { f?: unknown }).f !== 1) return undefined;
  const head = json as Record<string, unknown>;
  if (head.exp !== undefined && typeof head.exp !== 'number') return undefined;
  if (typeof head.value === 'string') return head as Head;
  const chunked =
    Number.isInteger(head.chunks) &&
    (head.chunks as number) > 0 &&
    typeof head.gen === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(head.gen) &&
    Number.isInteger(head.length) &&
    typeof head.sha256 === 'string';
  return chunked ? (head as Head) : undefined;
}

function split(value: string, limit: ItemLimit): string[] {
  const chunks: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < value.length) {
    const code = value.codePointAt(i) as number;
    const units = code > 0xffff ? 2 : 1;
    const size = limit.encoding === 'utf16le' ? units * 2 : utf8Length(code);
    if (bytes + size > limit.maxBytes) {
      chunks.push(value.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    i += units;
  }
  chunks.push(value.slice(start));
  return chunks;
}

function utf8Length(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return code < 0x10000 ? 3 : 4;
}

function measure(text: string, limit: ItemLimit): number {
  return Buffer.byteLength(text, limit.encoding);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function newGeneration(): string {
  return randomBytes(9).toString('base64url');
}
