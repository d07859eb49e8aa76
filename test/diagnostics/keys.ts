// Test keys for the diagnostics tests: a key the authorization server publishes (so a test can sign
// tokens it would accept), and tokens signed with jose the way a broken or hostile issuer would.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  /** The private JWK, for the authorization server's `extraKeys`. */
  jwk: Record<string, unknown>;
}

export function rsaKey(kid: string, modulusLength = 2048): TestKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return { kid, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

export interface TokenShape {
  iss: string;
  aud: string;
  /** Seconds from now. */
  expiresIn?: number;
  notBeforeIn?: number;
  typ?: string;
  claims?: Record<string, unknown>;
}

/** An RFC 9068-shaped access token signed RS256 with `key`, naming `kid` in its header. */
export function signToken(key: TestKey, shape: TokenShape, kid = key.kid): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'api:read', client_id: 'demo-confidential', ...shape.claims })
    .setProtectedHeader({ alg: 'RS256', kid, typ: shape.typ ?? 'at+jwt' })
    .setIssuer(shape.iss)
    .setAudience(shape.aud)
    .setSubject('alice')
    .setIssuedAt(now - 60)
    .setJti(`jti-${now}-${Math.random()}`)
    .setExpirationTime(now + (shape.expiresIn ?? 3600));
  if (shape.notBeforeIn !== undefined) jwt.setNotBefore(now + shape.notBeforeIn);
  return jwt.sign(key.privateKey);
}
