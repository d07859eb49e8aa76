// A client's private key for private_key_jwt (RFC 7523): a private JWK as JSON or a PKCS#8 PEM, read
// once and never echoed (errors name the shape, not the value). auth/provider/client-key.ts imports it for signing.

import { createPrivateKey, type KeyObject, type JsonWebKey as NodeJwk } from 'node:crypto';

/** Why `value` is not a usable private key, or undefined when it is. Never quotes the value. */
export function privateKeyProblem(value: string): string | undefined {
  try {
    keyObjectOf(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The key as a JWK with its algorithm (declared, else the key type's default) and `kid`; throws why not. */
export function keyObjectOf(value: string): { jwk: NodeJwk; kid?: string; alg: string } {
  const text = value.trim();
  let declared: { kid?: unknown; alg?: unknown; kty?: unknown } = {};
  let key: KeyObject;
  try {
    if (text.startsWith('{')) {
      declared = JSON.parse(text) as typeof declared;
      if (declared.kty === 'oct') throw new SymmetricKey();
      key = createPrivateKey({ key: declared as NodeJwk, format: 'jwk' });
    } else {
      key = createPrivateKey(text);
    }
  } catch (error) {
    if (error instanceof SymmetricKey) throw error;
    throw new Error('not a private key: give a private JWK as JSON (with "d") or a PKCS#8 PEM');
  }
  if (key.type !== 'private') throw new Error('a public key was given: give the private key');
  const jwk = key.export({ format: 'jwk' });
  const alg = declared.alg === undefined ? defaultAlgorithm(jwk) : declaredAlgorithm(declared.alg, jwk);
  return { jwk, alg, ...(typeof declared.kid === 'string' ? { kid: declared.kid } : {}) };
}

class SymmetricKey extends Error {
  constructor() {
    super(
      'a symmetric (kty "oct") key was given: private_key_jwt signs with a private RSA, EC or Ed25519 key',
    );
  }
}

/**
 * The JWK's own `alg`, when it is an asymmetric signature this key can make: "none", HS256 or an
 * algorithm of another key type would pass here and fail at the first token request as "internal".
 */
function declaredAlgorithm(declared: unknown, jwk: NodeJwk): string {
  const fits = signingAlgorithms(jwk);
  if (typeof declared === 'string' && fits.includes(declared)) return declared;
  const named =
    typeof declared === 'string' && /^[A-Za-z0-9+-]{1,16}$/.test(declared) ? `"${declared}"` : 'its value';
  throw new Error(
    `the JWK's "alg" (${named}) cannot sign private_key_jwt with this ${keyName(jwk)} key: use one of ${fits.join(', ')} or leave "alg" out`,
  );
}

function signingAlgorithms(jwk: NodeJwk): string[] {
  if (jwk.kty === 'RSA') return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return ['EdDSA', 'Ed25519'];
  return [defaultAlgorithm(jwk)];
}

function keyName(jwk: NodeJwk): string {
  return jwk.crv ? `${jwk.kty} ${jwk.crv}` : String(jwk.kty);
}

function defaultAlgorithm(jwk: NodeJwk): string {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  const byCurve: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
  const alg = jwk.kty === 'EC' && jwk.crv ? byCurve[jwk.crv] : undefined;
  if (!alg)
    throw new Error(
      `unsupported key type ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}: use RSA, EC P-256/384/521 or Ed25519`,
    );
  return alg;
}
