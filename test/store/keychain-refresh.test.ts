// Two oauth-mcp processes (as Claude Desktop and Cursor would run them) on one OS keychain refresh the same
// session at once against the real oidc-provider with refresh-token rotation: the keychain backend's lock()
// serializes them across processes, so one refresh request reaches the AS and the grant survives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keychainLockDir } from '../../src/store/index.js';
import { KeychainStore } from '../../src/store/keychain-store.js';
import type { StoredSession } from '../../src/store/records.js';
import { Vault } from '../../src/store/vault.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import {
  keyringSkipReason,
  type PrivateSecretService,
  startPrivateSecretService,
} from '../helpers/secret-service.js';
import { demoConfig, signedInSession } from '../refresh/fixtures.js';

const skipReason = await keyringSkipReason();
if (skipReason) console.warn(`keychain refresh tests skipped: ${skipReason}`);

describe.skipIf(skipReason)('two server processes on one OS keychain', () => {
  const as = useAuthorizationServer();
  let secretService: PrivateSecretService;
  let dir: string;
  let processes: ServerProcess[] = [];
  let session: StoredSession;

  beforeAll(async () => {
    secretService = await startPrivateSecretService();
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-two-'));
    // One user: one keychain and one data dir (where the lock files live), as for two hosts on one desktop.
    const env = {
      DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS as string,
      XDG_DATA_HOME: join(dir, 'data'),
    };
    const seed = new KeychainStore({ lockDir: keychainLockDir(env), reason: 'seed', env });
    session = await signedInSession(as(), seed);
    await seed.close();
    const config = demoConfig(as(), { store: { type: 'keychain' } });
    processes = await Promise.all([startServerProcess({ config, env }), startServerProcess({ config, env })]);
    for (const p of processes) {
      const listed = await p.call('oauth_list_sessions', {});
      expect(listed.structuredContent.sessions).toEqual([
        expect.objectContaining({ session_id: session.session_id }),
      ]);
      expect(listed.structuredContent.store.backend).toBe('keychain');
    }
  });

  afterAll(async () => {
    for (const p of processes) await p.close();
    await secretService?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes exactly one refresh request, both end with the same working tokens, and the grant survives', async () => {
    as().resetCounts();
    as().delay('/token', 400);
    const results = await Promise.all(
      processes.map((p) => p.call('oauth_refresh_token', { session_id: session.session_id })),
    );
    as().clearFaults();
    expect(results.map((r) => r.isError ?? false)).toEqual([false, false]);
    expect(as().counts()['grant:refresh_token']).toBe(1);
    expect(results.map((r) => r.structuredContent.outcome).sort()).toEqual([
      'already_refreshed',
      'refreshed',
    ]);
    const [first, second] = results.map((r) => r.structuredContent.session.access_token_sha256);
    expect(first).toBe(second);

    const env = { DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS as string };
    const reader = new KeychainStore({ lockDir: join(dir, 'reader-locks'), reason: 'reader', env });
    const stored = await new Vault(reader).getSession(session.session_id);
    await reader.close();
    expect(stored?.refresh_token).toBeDefined();
    expect(stored?.refresh_token).not.toBe(session.refresh_token);

    for (const p of [...processes].reverse()) {
      const again = await p.call('oauth_refresh_token', { session_id: session.session_id });
      expect(again.structuredContent).toMatchObject({ outcome: 'refreshed', refresh_token_rotated: true });
    }
    expect(as().counts()['grant:refresh_token']).toBe(3);
  });
});
