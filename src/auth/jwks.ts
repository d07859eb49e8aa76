// Remote JWKS sets, one per URI for the life of the process; jose refetches on an unknown `kid`.

import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

const sets = new Map<string, JWTVerifyGetKey>();

export function remoteJwks(uri: string, timeoutMs: number): JWTVerifyGetKey {
  let set = sets.get(uri);
  if (!set) {
    set = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    sets.set(uri, set);
  }
  return set;
}
