// The spellings a secret takes in output with no escaping: itself, its base64 at each byte alignment (standard
// and URL-safe alphabet) and a JWT's signature. None is kept: the registry indexes a hash of each one's first
// characters, and where a hash turns up in a text, the text is compared with the secret's own bytes.

/** Shorter values are not redacted (they would hit ordinary words); nor is a shorter fragment at a cut. */
export const MIN_SECRET_LENGTH = 8;

/** Spellings compared alike share an index: a hit there says which comparison to make. */
export type FormGroup = 'raw' | 'base64' | 'signature';

/** Char code -> its 6 bits, in the standard alphabet and in the URL-safe one; -1 outside the alphabet. */
const SEXTETS = ['+/', '-_'].map((last) => {
  const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${last}`;
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return { alphabet, table };
});
const JWT = /^[\w-]+\.[\w-]+\.([\w-]{16,})$/;
/** 31^(MIN_SECRET_LENGTH - 1) modulo 2^32: what the first char of a window weighs in its hash. */
const FIRST_WEIGHT = 31 ** (MIN_SECRET_LENGTH - 1) % 2 ** 32;

/** A hash of the MIN_SECRET_LENGTH chars at `at`: a polynomial in 31 modulo 2^32, so it rolls along a text. */
export function headHash(text: string, at: number): number {
  let hash = 0;
  for (let j = 0; j < MIN_SECRET_LENGTH; j++) hash = (Math.imul(hash, 31) + text.charCodeAt(at + j)) | 0;
  return hash;
}

/** The hash of the window one char further on: `dropped` leaves it, `added` enters it. */
export function rollHash(hash: number, dropped: number, added: number): number {
  return (Math.imul(hash - Math.imul(dropped, FIRST_WEIGHT), 31) + added) | 0;
}

/** The head hashes of a secret's spellings, per group (`size`: its length in UTF-8 bytes). */
export function headHashes(value: string, size: number): Record<FormGroup, number[]> {
  const bytes = bytesOf(value, size);
  const base64: number[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const { shift, length } = base64Core(offset, size);
    if (length < MIN_SECRET_LENGTH) continue;
    for (const { alphabet } of SEXTETS) {
      // headHash of the spelling's first chars, with no string built
      let hash = 0;
      for (let j = 0; j < MIN_SECRET_LENGTH; j++) {
        hash = (Math.imul(hash, 31) + alphabet.charCodeAt(sextet(bytes, shift + 6 * j))) | 0;
      }
      base64.push(hash);
    }
  }
  const signature = signatureStart(value);
  return {
    raw: [headHash(value, 0)],
    base64,
    signature: signature === undefined ? [] : [headHash(value, signature)],
  };
}

/**
 * Calls `found(matched, length)` for each spelling in `group` of the secret that `text` spells from `at` for
 * at least MIN_SECRET_LENGTH chars: how many chars agree, and how long that spelling is.
 */
export function matchForms(
  text: string,
  at: number,
  value: string,
  size: number,
  group: FormGroup,
  found: (matched: number, length: number) => void,
): void {
  if (group !== 'base64') {
    const start = group === 'raw' ? 0 : signatureStart(value);
    if (start !== undefined) matchChars(text, at, value, start, found);
    return;
  }
  const bytes = bytesOf(value, size);
  for (let offset = 0; offset < 3; offset++) {
    const { shift, length } = base64Core(offset, size);
    if (length < MIN_SECRET_LENGTH) continue;
    let previous = 0;
    for (const { table } of SEXTETS) {
      let matched = 0;
      while (matched < length) {
        const code = text.charCodeAt(at + matched);
        if (!(code < 128) || table[code] !== sextet(bytes, shift + 6 * matched)) break;
        matched++;
      }
      // Both alphabets agree on a run without + / - _: one spelling, reported once.
      if (matched >= MIN_SECRET_LENGTH && matched !== previous) found(matched, length);
      previous = matched;
    }
  }
}

function matchChars(
  text: string,
  at: number,
  value: string,
  from: number,
  found: (matched: number, length: number) => void,
): void {
  const length = value.length - from;
  let matched = 0;
  while (matched < length && text.charCodeAt(at + matched) === value.charCodeAt(from + matched)) matched++;
  if (matched >= MIN_SECRET_LENGTH) found(matched, length);
}

/**
 * Where the chars made of the secret's bits alone sit in the base64 of the secret after `offset` other
 * bytes: the first one starts `shift` bits into the secret; `length` chars in all.
 */
function base64Core(offset: number, size: number): { shift: number; length: number } {
  const first = Math.ceil((offset * 8) / 6);
  return { shift: first * 6 - offset * 8, length: Math.floor(((offset + size) * 8) / 6) - first };
}

/** The secret's UTF-8 bytes by index (0 past the end): its char codes when it is ASCII, with no copy. */
function bytesOf(value: string, size: number): (index: number) => number {
  if (size === value.length) return (index) => value.charCodeAt(index) | 0;
  const buffer = Buffer.from(value, 'utf8');
  return (index) => buffer[index] ?? 0;
}

/** The 6 bits of the secret that start `bit` bits into it. */
function sextet(bytes: (index: number) => number, bit: number): number {
  const at = bit >>> 3;
  return (((bytes(at) << 8) | bytes(at + 1)) >>> (10 - (bit & 7))) & 63;
}

function signatureStart(value: string): number | undefined {
  const signature = JWT.exec(value)?.[1];
  return signature === undefined ? undefined : value.length - signature.length;
}
