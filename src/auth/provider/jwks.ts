// Remote JWKS sets, one per URI for the life of the process; jose refetches on an unknown `kid` (at
// most every 5 s). `jwksFetchedAt` tells callers that cache verification results when the keys changed.

import {
  createRemoteJWKSet,
  customFetch,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwksCache,
  type RemoteJWKSet,
} from 'jose';
import type { OutboundFetch } from '../../net/guarded-fetch.js';

interface RemoteKeys {
  getKey: RemoteJWKSet;
  /** jose writes the fetched set and its time (`uat`) here on every successful fetch. */
  cache: { uat?: number; jwks?: JSONWebKeySet };
}

/** Per outbound fetch (one per runtime), so each key set is fetched under the policy of its runtime. */
const setsByFetch = new WeakMap<OutboundFetch, Map<string, RemoteKeys>>();

function setsOf(fetch: OutboundFetch): Map<string, RemoteKeys> {
  let sets = setsByFetch.get(fetch);
  if (!sets) {
    sets = new Map();
    setsByFetch.set(fetch, sets);
  }
  return sets;
}

function remoteKeys(uri: string, timeoutMs: number, fetch: OutboundFetch): RemoteKeys {
  const sets = setsOf(fetch);
  let keys = sets.get(uri);
  if (!keys) {
    const cache: RemoteKeys['cache'] = {};
    const getKey = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 5_000,
      cacheMaxAge: 10 * 60_000,
      [jwksCache]: cache as Record<string, never>,
      [customFetch]: fetch,
    });
    keys = { getKey, cache };
    sets.set(uri, keys);
  }
  return keys;
}

export function remoteJwks(uri: string, timeoutMs: number, fetch: OutboundFetch): JWTVerifyGetKey {
  return remoteKeys(uri, timeoutMs, fetch).getKey;
}

/** When the key set at `uri` was last fetched (ms since epoch), or undefined before the first fetch. */
export function jwksFetchedAt(uri: string, fetch: OutboundFetch): number | undefined {
  return setsOf(fetch).get(uri)?.cache.uat;
}

/** The key set at `uri` (for reports, not verification): the cached copy while fresh, else fetched now. */
export async function fetchJwks(
  uri: string,
  timeoutMs: number,
  fetch: OutboundFetch,
): Promise<{ jwks: JSONWebKeySet; fetchedAt: number }> {
  const { getKey, cache } = remoteKeys(uri, timeoutMs, fetch);
  if (!getKey.fresh) await getKey.reload();
  return { jwks: getKey.jwks() ?? { keys: [] }, fetchedAt: cache.uat ?? Date.now() };
}

/** JOSE `typ` values compare case-insensitively, with or without the "application/" prefix (RFC 7515 4.1.9). */
export function sameMediaType(expected: string, actual: string | undefined): boolean {
  const normalise = (type: string) => type.toLowerCase().replace(/^application\//, '');
  return actual !== undefined && normalise(expected) === normalise(actual);
}
