// A JWT's signature checked against the issuer's JWKS through the one key-set cache (jwks.ts), with the
// reason in words when it fails: unknown kid, bad signature, unsigned, symmetric, weak key, JWKS down.

import type { OutboundFetch } from '../../net/guarded-fetch.js';
import type { ServerMetadata } from '../provider/registry.js';
import type { CheckStatus } from './token-checks.js';

interface SignatureResult {
  status: CheckStatus;
  verified: boolean;
  kid?: string;
  alg?: string;
  key_type?: string;
  message: string;
}

export async function verifySignature(
  token: string,
  header: Record<string, unknown>,
  metadata: ServerMetadata,
  timeoutMs: number,
  fetch: OutboundFetch,
): Promise<SignatureResult> {
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const named = { ...(kid ? { kid } : {}), ...(alg ? { alg } : {}) };
  const fail = (message: string): SignatureResult => ({ status: 'fail', verified: false, ...named, message });
  const unverified = (message: string): SignatureResult => ({
    status: 'warn',
    verified: false,
    ...named,
    message,
  });
  if (!alg || alg.toLowerCase() === 'none') {
    return fail('The token is unsigned (alg none): anyone could have written it. No API should accept it.');
  }
  if (/^HS\d+$/.test(alg)) {
    return unverified(
      `The token is signed with a shared secret (${alg}), not a published key: only a holder of that secret (the client secret) can verify it.`,
    );
  }
  const uri = metadata.jwks_uri;
  if (!uri) return unverified('The server publishes no jwks_uri, so the signature cannot be checked.');
  const [{ compactVerify, errors }, { remoteJwks }] = await Promise.all([
    import('jose'),
    import('../provider/jwks.js'),
  ]);
  const keyName = kid ? `key "${kid}"` : 'the only matching key';
  try {
    const { key } = await compactVerify(token, remoteJwks(uri, timeoutMs, fetch));
    const keyType = (key as { algorithm?: { name?: string } }).algorithm?.name;
    return {
      status: 'pass',
      verified: true,
      ...named,
      ...(keyType ? { key_type: keyType } : {}),
      message: `The signature is valid: ${alg} with ${keyName} of ${uri}.`,
    };
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) {
      return fail(
        kid
          ? `No key with kid "${kid}" (${alg}) is in the issuer's JWKS (${uri}), even after fetching it again: the token was signed by another server, or with a key that was rotated out.`
          : `No key in the issuer's JWKS (${uri}) fits this ${alg} token, which names no kid.`,
      );
    }
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      return unverified(
        `Several keys of ${uri} match the token's header (no or duplicate kid), so it is ambiguous which one signed it.`,
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return fail(
        `The signature does not match ${keyName} (${alg}) of ${uri}: the token was altered or signed by someone else.`,
      );
    }
    if (error instanceof errors.JWKSTimeout) return unverified(`The JWKS at ${uri} did not answer in time.`);
    if (error instanceof errors.JOSEError) {
      return unverified(`The signature could not be checked against ${uri}: ${error.message}.`);
    }
    // jose refuses keys it considers unsafe (e.g. RSA below 2048 bits) with a TypeError
    if (error instanceof TypeError && /modulusLength|key/i.test(error.message)) {
      return fail(`${keyName} cannot be used to verify: ${error.message}.`);
    }
    return unverified(`The JWKS at ${uri} could not be used: ${(error as Error).message}.`);
  }
}
