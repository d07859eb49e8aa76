// Two oauth-mcp processes (as Claude Desktop and Cursor would run them) on one shared store refresh the
// same session at the same moment against the real oidc-provider, which rotates refresh tokens: the
// store's cross-process lock lets one refresh request reach the AS, and the grant survives. Run for the
// file store and for the OS keychain (a private gnome-keyring).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { FileStore } from '../../src/store/file-store.js';
import { keychainLockDir } from '../../src/store/index.js';
import { KeychainStore } from '../../src/store/keychain-store.js';
import type { TokenStore } from '../../src/store/token-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import {
  keyringSkipReason,
  type PrivateSecretService,
  startPrivateSecretService,
} from '../helpers/secret-service.js';
import { demoConfig, signedInSession } from '../helpers/signed-in-session.js';

/** A store both processes share, as one user's two MCP hosts would. */
interface SharedStore {
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** A store instance of the test's own, to seed and read the shared one. */
  open(): TokenStore;
  close(): Promise<void>;
}

async function sharedFileStore(dir: string): Promise<SharedStore> {
  const path = join(dir, 'tokens.json');
  return {
    config: { store: { type: 'file', path } },
    env: {},
    open: () => new FileStore({ path, reason: 'test' }),
    close: async () => undefined,
  };
}

async function sharedKeychain(dir: string): Promise<SharedStore> {
  const secretService: PrivateSecretService = await startPrivateSecretService();
  // One user: one keychain and one data dir (where the lock files live).
  const env = {
    DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS as string,
    XDG_DATA_HOME: join(dir, 'data'),
  };
  return {
    config: { store: { type: 'keychain' } },
    env,
    open: () => new KeychainStore({ lockDir: keychainLockDir(env), reason: 'test', env }),
    close: () => secretService.stop(),
  };
}

const keyringSkip = await keyringSkipReason();
if (keyringSkip) console.warn(`keychain multi-process refresh skipped: ${keyringSkip}`);

const backends = [
  { name: 'file store', backend: 'file', start: sharedFileStore, skip: undefined },
  { name: 'OS keychain', backend: 'keychain', start: sharedKeychain, skip: keyringSkip },
];

describe.each(backends)('two server processes on one $name', ({ backend, start, skip }) => {
  const as = useAuthorizationServer();
  let dir: string;
  let shared: SharedStore;
  let processes: ServerProcess[] = [];
  let session: StoredSession;

  async function storedSession(): Promise<StoredSession | undefined> {
    const store = shared.open();
    try {
      return await new Vault(store).getSession(session.session_id);
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-two-processes-'));
    shared = await start(dir);
    const seed = shared.open();
    session = await signedInSession(as(), seed);
    await seed.close();
    const config = demoConfig(as(), shared.config);
    processes = await Promise.all([1, 2].map(() => startServerProcess({ config, env: shared.env })));
    // Warm both (discovery, first store read) so the refresh calls below really start together.
    for (const p of processes) {
      const listed = await p.call('oauth_list_sessions', {});
      expect(listed.structuredContent.sessions).toEqual([
        expect.objectContaining({ session_id: session.session_id }),
      ]);
      expect(listed.structuredContent.store.backend).toBe(backend);
      expect((await p.call('oauth_discover', {})).isError).toBeFalsy();
    }
  });

  afterAll(async () => {
    if (skip) return;
    const stored = await storedSession();
    const secrets = [
      session.access_token,
      session.refresh_token,
      stored?.access_token,
      stored?.refresh_token,
    ];
    for (const p of processes) {
      const stderr = p.stderr();
      await p.close();
      for (const secret of secrets) if (secret) expect(stderr).not.toContain(secret);
    }
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'makes exactly one refresh request, both end with the same working tokens, and the grant survives',
    async () => {
      as().resetCounts();
      // A slow token endpoint keeps the first refresh in flight while the other process reads and waits.
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
      expect(results.every((r) => r.structuredContent.refresh_token_rotated === true)).toBe(true);

      const stored = await storedSession();
      expect(stored?.refresh_token).toBeDefined();
      expect(stored?.refresh_token).not.toBe(session.refresh_token);
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
    },
  );
});
