// One realistic stored user session (opaque tokens, ID token claims), the record every store benchmark writes.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { STORE_SCHEMA_VERSION } from '../../dist/auth/repository/records.js';
import { newId } from '../../dist/auth/repository/vault.js';
import { FileStore } from '../../dist/store/file-store.js';
import { FileStoreCodec } from '../../dist/store/file-store-codec.js';

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

/**
 * A file store at `path` holding `entries` (key -> { value }), in the layout benchmarks measure: the
 * entries are written as one old-style document, which the first write moves into one file per record.
 */
export async function filledFileStore(path, entries) {
  const { text } = await new FileStoreCodec(path, undefined).encode(entries, undefined);
  writeFileSync(path, text, { mode: 0o600 });
  const store = new FileStore({ path, reason: 'bench' });
  await store.delete('session:none');
  return store;
}
