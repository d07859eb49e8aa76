// DPoP (RFC 9449): a P-256 key pair per session, kept in the store as a private JWK, and openid-client's
// DPoP handle (proofs, server nonces) built from it for grants, refreshes, userinfo and API calls.

import * as client from 'openid-client';
import type { DPoPKey } from '../repository/records.js';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** What oauth_call_api needs of a DPoP handle: a proof per request (with `ath`) and the server's nonces. */
interface ProofSigner {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>;
  cacheNonce(response: Response, url: URL): void;
}

export async function newDPoPKey(): Promise<DPoPKey> {
  const pair = await client.randomDPoPKeyPair('ES256', { extractable: true });
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) throw new Error('unexpected DPoP key shape');
  return { kty, crv, x, y, d };
}

/** Handles by configuration and key: a handle remembers the servers' nonces, saving a round trip per request. */
const handles = new WeakMap<client.Configuration, Map<string, Promise<client.DPoPHandle>>>();
const HANDLES_PER_CONFIGURATION = 100;

export function dpopHandle(configuration: client.Configuration, key: DPoPKey): Promise<client.DPoPHandle> {
  let byKey = handles.get(configuration);
  if (!byKey) {
    byKey = new Map();
    handles.set(configuration, byKey);
  }
  const id = `${key.x}.${key.y}`;
  let handle = byKey.get(id);
  if (!handle) {
    handle = newHandle(configuration, key);
    handle.catch(() => byKey.delete(id));
    if (byKey.size >= HANDLES_PER_CONFIGURATION) byKey.delete(byKey.keys().next().value as string);
    byKey.set(id, handle);
  }
  return handle;
}

async function newHandle(configuration: client.Configuration, key: DPoPKey): Promise<client.DPoPHandle> {
  const { d: _private, ...publicJwk } = key;
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', key, EC_P256, false, ['sign']),
    crypto.subtle.importKey('jwk', publicJwk, EC_P256, true, ['verify']),
  ]);
  return client.getDPoPHandle(configuration, { privateKey, publicKey });
}

/** The `{ DPoP }` option of a grant or request: empty for a session or provider without a key. */
export async function dpopOption(
  configuration: client.Configuration,
  key: DPoPKey | undefined,
): Promise<{ DPoP?: client.DPoPHandle }> {
  return key ? { DPoP: await dpopHandle(configuration, key) } : {};
}

/**
 * oauth_call_api signs its own requests (it follows redirects per hop and keeps the caller's
 * cancellation), so it uses the handle's proof and nonce methods, which openid-client's types omit.
 */
export function proofSigner(handle: client.DPoPHandle): ProofSigner {
  const signer = handle as unknown as Partial<ProofSigner>;
  if (typeof signer.addProof !== 'function' || typeof signer.cacheNonce !== 'function') {
    throw new Error('this openid-client version does not expose DPoP proofs');
  }
  return signer as ProofSigner;
}
