// The client's private_key_jwt signing key (RFC 7523), imported from the config's JWK or PEM for
// openid-client's PrivateKeyJwt.

import type { webcrypto } from 'node:crypto';
import { keyObjectOf } from '../../config/private-key.js';

interface ClientSigningKey {
  key: webcrypto.CryptoKey;
  kid?: string;
}

export async function importClientPrivateKey(value: string): Promise<ClientSigningKey> {
  const { jwk, kid, alg } = keyObjectOf(value);
  const { importJWK } = await import('jose');
  const key = (await importJWK(jwk as Parameters<typeof importJWK>[0], alg)) as webcrypto.CryptoKey;
  return { key, ...(kid ? { kid } : {}) };
}
