// The built server (dist/cli.js) with store.type keychain on a private gnome-keyring: tokens really land in
// the keychain, and when the keychain goes away mid-session the server keeps serving and says what failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHead } from '../../src/store/chunking.js';
import { INDEX_ACCOUNT, KEYCHAIN_SERVICE } from '../../src/store/keychain-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import {
  keyringSkipReason,
  type PrivateSecretService,
  secretTool,
  startPrivateSecretService,
} from '../helpers/secret-service.js';

const skipReason = await keyringSkipReason();
if (skipReason) console.warn(`keychain server tests skipped: ${skipReason}`);

describe.skipIf(skipReason)('store.type keychain through the built server', () => {
  const as = useAuthorizationServer();
  let secretService: PrivateSecretService;
  let server: ServerProcess;
  let dir: string;

  beforeAll(async () => {
    secretService = await startPrivateSecretService();
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-e2e-'));
    const { confidential } = as().clients;
    server = await startServerProcess({
      dir,
      env: {
        DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS as string,
        XDG_RUNTIME_DIR: secretService.env.XDG_RUNTIME_DIR as string,
      },
      config: {
        store: { type: 'keychain' },
        providers: {
          work: {
            issuer: as.issuer,
            clientId: confidential.clientId,
            clientSecret: confidential.clientSecret,
          },
        },
        defaultProvider: 'work',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await secretService?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a new session in the OS keychain under service oauth-mcp, listed by the index item', async () => {
    const result = await server.call('oauth_client_credentials', { scopes: ['api:read'] });
    expect(result.isError).toBeFalsy();
    const sessionId = result.structuredContent.session.session_id as string;

    const item = await secretTool.lookup(KEYCHAIN_SERVICE, `session:${sessionId}`, secretService.env);
    const record = JSON.parse((parseHead(item ?? '') as { value: string }).value);
    expect(record).toMatchObject({ v: 1, session_id: sessionId, grant: 'client_credentials' });
    expect(record.access_token).toEqual(expect.any(String));
    expect(Date.parse(record.expires_at)).toBeGreaterThan(Date.now());
    expect(await secretTool.lookup(KEYCHAIN_SERVICE, INDEX_ACCOUNT, secretService.env)).toContain(sessionId);

    const listed = await server.call('oauth_list_sessions', {});
    expect(listed.structuredContent.store).toMatchObject({
      backend: 'keychain',
      encrypted: true,
      location: 'Secret Service (D-Bus), service "oauth-mcp"',
      reason: 'store.type is "keychain"',
    });
  });

  it('keeps serving sessions it holds when the keychain goes away, and reports store_unavailable on write', async () => {
    secretService.killKeyring();

    const listed = await server.call('oauth_list_sessions', {});
    expect(listed.isError).toBeFalsy();
    expect(listed.structuredContent.sessions).toHaveLength(1);

    const fresh = await server.call('oauth_client_credentials', { scopes: ['api:read'], force_new: true });
    expect(fresh.isError).toBe(true);
    expect(fresh.structuredContent.error).toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/OS keychain is not usable.*Unlock the keychain/),
    });

    const tools = await server.client.listTools();
    expect(tools.tools.length).toBeGreaterThan(0);
    expect(server.stderr().match(/from memory/g)).toHaveLength(1);
  });
});
