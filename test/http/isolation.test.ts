// Per-user isolation in HTTP mode: each bearer token's principal (iss + sub) has its own sessions; one user
// can never list, introspect, refresh, revoke or reach the MCP session of another.
import { describe, expect, it } from 'vitest';
import { DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { demoProvider } from '../helpers/http-server-process.js';
import { useTwoHttpUsers } from '../helpers/two-http-users.js';

const users = useTwoHttpUsers({
  config: (issuer) => ({
    providers: {
      demo: demoProvider(issuer, {
        scopes: ['api:read'],
        resource: DEMO_RESOURCE,
        sharedClientCredentials: true,
      }),
    },
    defaultProvider: 'demo',
  }),
});

describe('per-user isolation', () => {
  it("keeps one user's sessions invisible and unusable to another", async () => {
    const made = await users.alice.callTool('oauth_client_credentials', {});
    expect(made.isError).toBeFalsy();
    const sessionId = (made.structuredContent as { session: { session_id: string } }).session.session_id;

    const aliceList = await users.alice.callTool('oauth_list_sessions');
    expect(
      (aliceList.structuredContent as { sessions: { session_id: string }[] }).sessions.map(
        (s) => s.session_id,
      ),
    ).toEqual([sessionId]);
    const bobList = await users.bob.callTool('oauth_list_sessions');
    expect(bobList.structuredContent?.sessions).toEqual([]);

    for (const tool of ['oauth_introspect_token', 'oauth_refresh_token', 'oauth_revoke_access']) {
      const result = await users.bob.callTool(tool, { session_id: sessionId });
      expect(result.isError, tool).toBe(true);
      expect(result.content[0]?.text, tool).toContain(`No session "${sessionId}"`);
    }
    // Without a session_id Bob's "latest session" is his own, and he has none.
    const latest = await users.bob.callTool('oauth_introspect_token', {});
    expect(latest.isError).toBe(true);

    const stillThere = await users.alice.callTool('oauth_introspect_token', { session_id: sessionId });
    expect(stillThere.isError).toBeFalsy();
    expect(stillThere.structuredContent).toMatchObject({ active: true });
  });

  it("shows nothing of another user's through a cursor: it is only a position in the caller's own list", async () => {
    for (const scopes of [['api:read'], ['api:write']]) {
      expect(
        (await users.alice.callTool('oauth_client_credentials', { scopes, force_new: true })).isError,
      ).toBeFalsy();
    }
    type Page = { sessions: { session_id: string }[]; total: number; next_cursor?: string };
    const first = (await users.alice.callTool('oauth_list_sessions', { limit: 1 })).structuredContent as Page;
    expect(first.total).toBeGreaterThanOrEqual(2);
    expect(first.next_cursor).toEqual(expect.any(String));

    const bobs = await users.bob.callTool('oauth_list_sessions', { limit: 1, cursor: first.next_cursor });
    expect(bobs.isError).toBeFalsy();
    expect(bobs.structuredContent).toMatchObject({ sessions: [], total: 0 });
    expect(bobs.structuredContent).not.toHaveProperty('next_cursor');

    const next = (await users.alice.callTool('oauth_list_sessions', { limit: 1, cursor: first.next_cursor }))
      .structuredContent as Page;
    expect(next.sessions).toHaveLength(1);
    expect(next.sessions[0]?.session_id).not.toBe(first.sessions[0]?.session_id);
  });

  it("answers another user's MCP session id with 404, as if it did not exist", async () => {
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    };
    const init = await fetch(users.server.mcpUrl, {
      method: 'POST',
      headers: { ...headers, Authorization: `Bearer ${users.aliceToken}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });
    const sessionId = init.headers.get('mcp-session-id');
    await init.body?.cancel();
    expect(sessionId).toBeTruthy();
    const hijack = await fetch(users.server.mcpUrl, {
      method: 'POST',
      headers: {
        ...headers,
        Authorization: `Bearer ${users.bobToken}`,
        'Mcp-Session-Id': sessionId as string,
        'MCP-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
  });
});
