// One realistic stored user session (opaque tokens, ID token claims), the record every store benchmark writes.

import { randomBytes } from 'node:crypto';
import { STORE_SCHEMA_VERSION } from '../../dist/auth/repository/records.js';
import { newId } from '../../dist/auth/repository/vault.js';

/** The `i`-th session of a batch created at `now` (ms). */
export function benchSession(i, now) {
  const iso = new Date(now + i).toISOString();
  return {
    v: STORE_SCHEMA_VERSION,
    session_id: newId('ses'),
    provider: 'work',
    issuer: 'https://auth.example.com',
    client_id: 'bench',
    grant: 'authorization_code',
    subject: `user-${i}`,
    scope: 'openid profile email offline_access api:read',
    token_type: 'Bearer',
    expires_at: new Date(now + 3_600_000).toISOString(),
    access_token: randomBytes(32).toString('base64url'),
    refresh_token: randomBytes(32).toString('base64url'),
    id_token_claims: { sub: `user-${i}`, email: `user-${i}@example.test`, name: `User ${i}` },
    created_at: iso,
    updated_at: iso,
  };
}
