// The one cipher of the stores at rest: AES-256-GCM with a fresh 96-bit nonce per value (a repeated nonce
// under one key gives away the XOR of two plaintexts and GCM's authentication key), bound to its place.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, isSealHeader, newSalt, SEAL_KDF, seal, unseal } from '../../src/store/sealing.js';

const KEY = randomBytes(32);
const AAD = Buffer.from('place-a');

describe('sealing', () => {
  it('opens what it sealed, with the same key and place', () => {
    const plain = '{"access_token":"at-1","note":"żółć 🔐"}';
    expect(unseal(KEY, AAD, seal(KEY, AAD, plain))).toBe(plain);
  });

  it('never reuses a nonce: the same value sealed twice under one key differs in nonce and ciphertext', () => {
    const sealed = Array.from({ length: 64 }, () => seal(KEY, AAD, 'the same refresh token'));
    const nonces = new Set(sealed.map((s) => s.iv));
    expect(nonces.size).toBe(64);
    expect(new Set(sealed.map((s) => s.data)).size).toBe(64);
    for (const s of sealed) expect(Buffer.from(s.iv, 'base64')).toHaveLength(12);
  });

  it('does not open under another key, in another place, or once any part was changed', () => {
    const sealed = seal(KEY, AAD, 'secret value');
    expect(() => unseal(randomBytes(32), AAD, sealed)).toThrow();
    expect(() => unseal(KEY, Buffer.from('place-b'), sealed)).toThrow();
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] as number) ^ 1;
      return bytes.toString('base64');
    };
    expect(() => unseal(KEY, AAD, { ...sealed, data: flip(sealed.data) })).toThrow();
    expect(() => unseal(KEY, AAD, { ...sealed, tag: flip(sealed.tag) })).toThrow();
    expect(() => unseal(KEY, AAD, { ...sealed, iv: flip(sealed.iv) })).toThrow();
    expect(() => unseal(KEY, AAD, { ...sealed, tag: '' })).toThrow();
  });

  it('keeps the plaintext out of the sealed parts', () => {
    const sealed = seal(KEY, AAD, 'plaintext-marker-1234567890');
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('plaintext-marker');
    expect(Buffer.from(sealed.data, 'base64').toString('utf8')).not.toContain('plaintext-marker');
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
  });

  it('derives one 256-bit key per passphrase and salt, and another for another salt or passphrase', async () => {
    const salt = newSalt();
    expect(salt).toHaveLength(16);
    expect(newSalt().equals(salt)).toBe(false);
    const key = await deriveKey('a passphrase of some length', salt);
    expect(key).toHaveLength(32);
    expect((await deriveKey('a passphrase of some length', salt)).equals(key)).toBe(true);
    expect((await deriveKey('a passphrase of some length', newSalt())).equals(key)).toBe(false);
    expect((await deriveKey('another passphrase entirely', salt)).equals(key)).toBe(false);
  });

  it('reads only headers naming this cipher and these scrypt parameters', () => {
    expect(isSealHeader('aes-256-gcm', { ...SEAL_KDF })).toBe(true);
    expect(isSealHeader('aes-128-gcm', { ...SEAL_KDF })).toBe(false);
    expect(isSealHeader('aes-256-gcm', null)).toBe(false);
    expect(isSealHeader('aes-256-gcm', 'scrypt')).toBe(false);
    for (const field of ['name', 'N', 'r', 'p'] as const) {
      expect(isSealHeader('aes-256-gcm', { ...SEAL_KDF, [field]: field === 'name' ? 'pbkdf2' : 2 })).toBe(
        false,
      );
    }
  });
});
