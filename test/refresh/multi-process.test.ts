// Two oauth-mcp processes (as Claude Desktop and Cursor would run them) on one file store refresh the
// same session at the same moment against the real oidc-provider, which rotates refresh tokens.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.js';
import type { StoredSession } from '../../src/store/records.js';
import { Vault } from '../../src/store/vault.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { demoConfig, signedInSession } from './fixtures.js';

const as = useAuthorizationServer();

describe('two server processes on one file store', () => {
  let dir: string;
  let storePath: string;
  let processes: ServerProcess[] = [];
  let session: StoredSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-two-processes-'));
    storePath = join(dir, 'tokens.json');
    const seed = new FileStore({ path: storePath, reason: 'test' });
    session = await signedInSession(as(), seed);
    await seed.close();
    const config = demoConfig(as(), { store: { type: 'file', path: storePath } });
    processes = await Promise.all([startServerProcess({ config }), startServerProcess({ config })]);
    // Warm both (discovery, first store read) so the refresh calls below really start together.
    for (const p of processes) {
      const listed = await p.call('oauth_list_sessions', {});
      expect(listed.structuredContent?.sessions).toEqual([
        expect.objectContaining({ session_id: session.session_id }),
      ]);
      expect((await p.call('oauth_discover', {})).isError).toBeFalsy();
    }
  });
  afterAll(async () => {
    const secrets = [session.access_token, session.refresh_token ?? ''];
    const stored = await new Vault(new FileStore({ path: storePath, reason: 'test' })).getSession(
      session.session_id,
    );
    secrets.push(stored?.access_token ?? '', stored?.refresh_token ?? '');
    for (const p of processes) {
      const stderr = p.stderr();
      await p.close();
      for (const secret of secrets.filter(Boolean)) expect(stderr).not.toContain(secret);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes exactly one refresh request, both end with the same working tokens, and the grant survives', async () => {
    as().resetCounts();
    // A slow token endpoint keeps the first refresh in flight while the other process reads and waits.
    as().delay('/token', 400);
    const results = await Promise.all(
      processes.map((p) => p.call('oauth_refresh_token', { session_id: session.session_id })),
    );
    as().clearFaults();
    expect(results.map((r) => r.isError ?? false)).toEqual([false, false]);
    expect(as().counts()['grant:refresh_token']).toBe(1);
    expect(results.map((r) => r.structuredContent?.outcome).sort()).toEqual([
      'already_refreshed',
      'refreshed',
    ]);
    const [first, second] = results.map((r) => r.structuredContent?.session.access_token_sha256);
    expect(first).toBe(second);
    expect(results.every((r) => r.structuredContent?.refresh_token_rotated === true)).toBe(true);

    for (const p of processes) {
      const introspection = await p.call('oauth_introspect_token', { session_id: session.session_id });
      expect(introspection.structuredContent).toMatchObject({ active: true, sub: 'alice' });
      const refreshToken = await p.call('oauth_introspect_token', {
        session_id: session.session_id,
        token_type_hint: 'refresh_token',
      });
      expect(refreshToken.structuredContent).toMatchObject({ active: true });
    }

    // The rotated refresh token in the store keeps working from either process, one after the other.
    for (const p of [...processes].reverse()) {
      const again = await p.call('oauth_refresh_token', { session_id: session.session_id });
      expect(again.structuredContent).toMatchObject({ outcome: 'refreshed', refresh_token_rotated: true });
    }
    expect(as().counts()['grant:refresh_token']).toBe(3);
  });
});
