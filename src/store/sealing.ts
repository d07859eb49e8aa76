// AES-256-GCM under a scrypt-derived key: the one cipher of every store backend that encrypts at rest.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

export const SEAL_ALG = 'aes-256-gcm';
export const SEAL_KDF = { name: 'scrypt', N: 16_384, r: 8, p: 1 } as const;

/** A sealed value's parts, base64. */
export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

export function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(passphrase, salt, 32, { N: SEAL_KDF.N, r: SEAL_KDF.r, p: SEAL_KDF.p }, (error, derived) =>
      error ? reject(error) : resolve(derived),
    );
  });
}

/** `aad` binds the ciphertext to its place, so it does not open when copied elsewhere. */
export function seal(key: Buffer, aad: Buffer, plain: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv(SEAL_ALG, key, iv).setAAD(aad);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { iv: b64(iv), tag: b64(cipher.getAuthTag()), data: b64(data) };
}

/** Throws when the key or the authenticated data differ from the sealing ones. */
export function unseal(key: Buffer, aad: Buffer, sealed: Sealed): string {
  const decipher = createDecipheriv(SEAL_ALG, key, Buffer.from(sealed.iv, 'base64'))
    .setAAD(aad)
    .setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
    'utf8',
  );
}

/** Whether a stored header names this cipher and these KDF parameters (anything else is not ours to read). */
export function isSealHeader(alg: unknown, kdf: unknown): boolean {
  if (alg !== SEAL_ALG || typeof kdf !== 'object' || kdf === null) return false;
  const k = kdf as Record<string, unknown>;
  return k.name === SEAL_KDF.name && k.N === SEAL_KDF.N && k.r === SEAL_KDF.r && k.p === SEAL_KDF.p;
}

export function b64(bytes: Buffer): string {
  return bytes.toString('base64');
}
