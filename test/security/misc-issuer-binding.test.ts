// Sessions, cached machine tokens and pending sign-ins are bound to the issuer and client that issued them:
// when a provider name is pointed at another authorization server (every --demo restart does this), the
// old records are reported stale and nothing of them reaches the new server.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '../../src/demo/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { signIn } from '../helpers/user-agent.js';
import { data } from '../sign-in/harness.js';

let first: RunningAuthorizationServer;
let second: RunningAuthorizationServer;
/** Everything the second server received: path, parsed form body and Authorization header. */
const receivedBySecond: string[] = [];
let dir: string;

beforeAll(async () => {
  first = await startAuthorizationServer({ devicePollInterval: 1 });
  second = await startAuthorizationServer({
    devicePollInterval: 1,
    onRequest: (request) => receivedBySecond.push(JSON.stringify(request)),
  });
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-binding-'));
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFor(as: RunningAuthorizationServer) {
  return {
    providers: {
      work: { issuer: as.issuer, ...as.clients.confidential, scopes: ['openid', 'offline_access'] },
    },
    defaultProvider: 'work',
    exposeTokens: true,
    api: { allowedOrigins: [first.issuer, second.issuer] },
  };
}

describe('a provider whose issuer changed between two runs on one store', () => {
  let mcp: ServerProcess;
  const old = { machine: {} as Record<string, any>, user: {} as Record<string, any>, deviceFlowId: '' };

  beforeAll(async () => {
    const run1 = await startServerProcess({ dir, config: configFor(first) });
    old.machine = data(await run1.call('oauth_client_credentials', {})).session;
    const started = data(await run1.call('oauth_authenticate_user', { wait_seconds: 0, prompt: 'consent' }));
    await signIn(started.authorization_url, { login: 'alice', followCallback: true });
    const done = data(
      await run1.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    old.user = done.session;
    expect(old.user.refresh_token).toBeTruthy();
    const device = data(await run1.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    old.deviceFlowId = device.flow_id;
    await run1.close();
    mcp = await startServerProcess({ dir, config: configFor(second) });
  }, 60_000);
  afterAll(async () => {
    await mcp?.close();
  });

  const secrets = () => [
    old.machine.access_token,
    old.user.access_token,
    old.user.refresh_token,
    old.user.id_token,
  ];

  it('gets a new machine token from the new server instead of handing back the old one as reused', async () => {
    const machine = data(await mcp.call('oauth_client_credentials', {}));
    expect(machine.reused).toBe(false);
    expect(machine.session.access_token).not.toBe(old.machine.access_token);
    expect(second.counts()['grant:client_credentials']).toBe(1);
    const again = data(await mcp.call('oauth_client_credentials', {}));
    expect(again).toMatchObject({ reused: true, session: { session_id: machine.session.session_id } });
  });

  it('lists the old sessions as stale, naming the old server', async () => {
    const { sessions } = data(await mcp.call('oauth_list_sessions'));
    const byId = new Map(sessions.map((s: { session_id: string }) => [s.session_id, s]));
    for (const id of [old.machine.session_id, old.user.session_id]) {
      expect(byId.get(id)).toMatchObject({ stale: true });
      expect((byId.get(id) as { stale_reason: string }).stale_reason).toContain(first.issuer);
    }
    expect(sessions.filter((s: { stale?: boolean }) => !s.stale)).toHaveLength(1);
  });

  it('refuses to refresh, introspect, read userinfo with or call an API with a stale session', async () => {
    const id = old.user.session_id;
    const attempts = [
      ['oauth_refresh_token', { session_id: id }],
      ['oauth_introspect_token', { session_id: id }],
      ['oauth_userinfo', { session_id: id }],
      ['oauth_call_api', { session_id: id, url: `${second.issuer}/me` }],
    ] as const;
    for (const [tool, args] of attempts) {
      const result = await mcp.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(result.structuredContent.error.code, tool).toBe('not_authenticated');
      expect(result.structuredContent.error.message, tool).toContain('stale');
    }
  });

  it('does not finish the old pending device sign-in at the new server', async () => {
    const result = await mcp.call('oauth_authenticate_user', { flow_id: old.deviceFlowId, wait_seconds: 2 });
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error.message).toContain('stale');
    expect(second.counts()['grant:urn:ietf:params:oauth:grant-type:device_code']).toBeUndefined();
  });

  it('removes a stale session on revocation without contacting any server', async () => {
    const firstBefore = first.counts()['POST /token/revocation'] ?? 0;
    const revoked = data(await mcp.call('oauth_revoke_access', { session_id: old.user.session_id }));
    expect(revoked).toMatchObject({ revoked: [], session_removed: true });
    expect(revoked.stale_reason).toContain(first.issuer);
    expect(first.counts()['POST /token/revocation'] ?? 0).toBe(firstBefore);
    const { sessions } = data(await mcp.call('oauth_list_sessions'));
    expect(sessions.map((s: { session_id: string }) => s.session_id)).not.toContain(old.user.session_id);
  });

  it("sent none of the first server's tokens to the second server, at any endpoint", () => {
    const seen = receivedBySecond.join('\n');
    expect(seen).toContain('client_credentials');
    for (const secret of secrets()) expect(seen).not.toContain(secret);
    expect(second.counts()['grant:refresh_token']).toBeUndefined();
    expect(second.counts()['POST /token/revocation']).toBeUndefined();
    expect(second.counts()['POST /token/introspection']).toBeUndefined();
    expect(second.counts()['GET /me']).toBeUndefined();
  });
});
