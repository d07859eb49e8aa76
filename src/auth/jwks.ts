// Remote JWKS sets, one per URI for the life of the process; jose refetches on an unknown `kid` (at
// most every 5 s). `jwksFetchedAt` tells callers that cache verification results when the keys changed.

import {
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwksCache,
  type RemoteJWKSet,
} from 'jose';

interface RemoteKeys {
  getKey: RemoteJWKSet;
  /** jose writes the fetched set and its time (`uat`) here on every successful fetch. */
  cache: { uat?: number; jwks?: JSONWebKeySet };
}

const sets = new Map<string, RemoteKeys>();

function remoteKeys(uri: string, timeoutMs: number): RemoteKeys {
  let keys = sets.get(uri);
  if (!keys) {
    const cache: RemoteKeys['cache'] = {};
    const getKey = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 5_000,
      cacheMaxAge: 10 * 60_000,
      [jwksCache]: cache as Record<string, never>,
    });
    keys = { getKey, cache };
    sets.set(uri, keys);
  }
  return keys;
}

export function remoteJwks(uri: string, timeoutMs: number): JWTVerifyGetKey {
  return remoteKeys(uri, timeoutMs).getKey;
}

/** When the key set at `uri` was last fetched (ms since epoch), or undefined before the first fetch. */
export function jwksFetchedAt(uri: string): number | undefined {
  return sets.get(uri)?.cache.uat;
}

/** The key set at `uri` (for reports, not verification): the cached copy while fresh, else fetched now. */
export async function fetchJwks(
  uri: string,
  timeoutMs: number,
): Promise<{ jwks: JSONWebKeySet; fetchedAt: number }> {
  const { getKey, cache } = remoteKeys(uri, timeoutMs);
  if (!getKey.fresh) await getKey.reload();
  return { jwks: getKey.jwks() ?? { keys: [] }, fetchedAt: cache.uat ?? Date.now() };
}
