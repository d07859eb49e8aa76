// private_key_jwt keys are refused at config load when they cannot sign a client assertion: a JWK whose
// `alg` is "none", an HMAC or another key type's algorithm, and symmetric keys. Errors name the problem,
// never the key.

import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importClientPrivateKey } from '../../src/auth/provider/client-key.js';
import { parseConfig } from '../../src/config/index.js';
import { keyObjectOf } from '../../src/config/private-key.js';
import { thrownMessage } from '../helpers/thrown.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });

function loadMessage(jwk: JsonWebKey): string {
  return thrownMessage(() =>
    parseConfig(
      {
        providers: {
          m: { issuer: 'https://auth.example.com', clientId: 'm', clientPrivateKey: JSON.stringify(jwk) },
        },
      },
      {},
    ),
  );
}

describe('config: the private_key_jwt signing algorithm', () => {
  it.each([
    ['none', ec],
    ['HS256', ec],
    ['HS256', rsa],
    ['ES256', rsa],
    ['RS256', ec],
    ['ES384', ec],
    ['EdDSA', rsa],
  ])('refuses a JWK declaring alg %s at load, naming the problem and not the key', (alg, jwk) => {
    const message = loadMessage({ ...jwk, alg });
    expect(message).toMatch(/providers\.m\.clientPrivateKey: the JWK's "alg" .* cannot sign private_key_jwt/);
    expect(message).toContain(`"${alg}"`);
    expect(message).not.toContain(jwk.d as string);
  });

  it('refuses an alg that is not a string without quoting it', () => {
    const message = loadMessage({ ...ec, alg: { secret: 'planted-value-1234' } } as unknown as JsonWebKey);
    expect(message).toMatch(/"alg" \(its value\) cannot sign/);
    expect(message).not.toContain('planted-value-1234');
  });

  it('refuses a symmetric key (kty oct, HS256) without echoing it', () => {
    const k = 'c3ltbWV0cmljLXNlY3JldC12YWx1ZS0xMjM0NTY3ODkw';
    const message = loadMessage({ kty: 'oct', k, alg: 'HS256' });
    expect(message).toMatch(/clientPrivateKey: a symmetric \(kty "oct"\) key was given/);
    expect(message).not.toContain(k);
  });

  it.each([
    ['ES256', ec],
    ['RS256', rsa],
    ['PS384', rsa],
    ['EdDSA', ed],
  ])('accepts a JWK declaring %s, and the key imports for signing', async (alg, jwk) => {
    const value = JSON.stringify({ ...jwk, alg, kid: 'k1' });
    expect(() =>
      parseConfig({ providers: { m: { issuer: 'https://a.example', clientPrivateKey: value } } }, {}),
    ).not.toThrow();
    expect(keyObjectOf(value).alg).toBe(alg);
    const { key, kid } = await importClientPrivateKey(value);
    expect(kid).toBe('k1');
    expect(key.type).toBe('private');
  });

  it("uses the key type's default algorithm when the JWK declares none", () => {
    expect(keyObjectOf(JSON.stringify(ec)).alg).toBe('ES256');
    expect(keyObjectOf(JSON.stringify(rsa)).alg).toBe('RS256');
    expect(keyObjectOf(JSON.stringify(ed)).alg).toBe('EdDSA');
  });
});
