// oauth_refresh_token through a real MCP client against the real oidc-provider: single-flight,
// rotation, resource indicators, invalid_grant -> needs_reauth, and the lock shared by two stores.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/auth/fingerprint.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { refreshSession } from '../../src/auth/tokens/refresh.js';
import { DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { FileStore } from '../../src/store/file-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { startInProcess, useInProcessServer } from '../helpers/in-process-server.js';
import { confidentialClient, demoConfig, signedInSession } from '../helpers/signed-in-session.js';

const as = useAuthorizationServer();

describe('oauth_refresh_token', () => {
  const mcp = useInProcessServer(() => demoConfig(as()), { each: true });

  it('returns new tokens, and the old refresh token no longer works (rotation)', async () => {
    const before = await signedInSession(as(), mcp.store);
    const result = await mcp.server.call('oauth_refresh_token', { session_id: before.session_id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      outcome: 'refreshed',
      access_token_changed: true,
      refresh_token_rotated: true,
      previous_access_token_sha256: fingerprint(before.access_token),
      session: { session_id: before.session_id, subject: 'alice', has_refresh_token: true, expired: false },
    });
    expect(result.structuredContent?.session.access_token).toBeUndefined();
    const after = await new Vault(mcp.store).getSession(before.session_id);
    expect(after?.refresh_token).toBeDefined();
    expect(after?.refresh_token).not.toBe(before.refresh_token);
    expect(result.structuredContent?.session.access_token_sha256).toBe(
      fingerprint(after?.access_token ?? ''),
    );

    const config = await confidentialClient(as());
    expect((await oidc.tokenIntrospection(config, after?.access_token ?? '')).active).toBe(true);
    await expect(oidc.refreshTokenGrant(config, before.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('makes exactly one refresh request for 50 concurrent calls on one session, and all 50 succeed', async () => {
    const session = await signedInSession(as(), mcp.store);
    as().resetCounts();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        mcp.server.call('oauth_refresh_token', { session_id: session.session_id }),
      ),
    );
    expect(as().counts()['grant:refresh_token']).toBe(1);
    expect(results.filter((r) => r.isError)).toEqual([]);
    const fingerprints = new Set(results.map((r) => r.structuredContent?.session.access_token_sha256));
    expect(fingerprints.size).toBe(1);
    const stored = await new Vault(mcp.store).getSession(session.session_id);
    expect([...fingerprints][0]).toBe(fingerprint(stored?.access_token ?? ''));
    const introspection = await mcp.server.call('oauth_introspect_token', { session_id: session.session_id });
    expect(introspection.structuredContent).toMatchObject({ active: true, sub: 'alice' });
  });

  it('sends the resource indicator of the session, so the new token is still for that API', async () => {
    const session = await signedInSession(as(), mcp.store, {
      scope: 'openid offline_access api:read',
      resource: DEMO_RESOURCE,
    });
    const result = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    expect(result.structuredContent).toMatchObject({
      outcome: 'refreshed',
      session: { resource: DEMO_RESOURCE },
    });
    const stored = await new Vault(mcp.store).getSession(session.session_id);
    const introspection = await oidc.tokenIntrospection(
      await confidentialClient(as()),
      stored?.access_token ?? '',
    );
    expect(introspection).toMatchObject({ active: true, aud: DEMO_RESOURCE, scope: 'api:read' });
  });

  it('with force: false leaves a fresh session alone and asks nothing of the server', async () => {
    const session = await signedInSession(as(), mcp.store);
    as().resetCounts();
    const result = await mcp.server.call('oauth_refresh_token', {
      session_id: session.session_id,
      force: false,
    });
    expect(result.structuredContent).toMatchObject({ outcome: 'still_fresh', access_token_changed: false });
    expect(as().counts()['POST /token']).toBeUndefined();
  });

  it('marks the session needs_reauth on invalid_grant, keeps it, and says to sign in again', async () => {
    const session = await signedInSession(as(), mcp.store);
    await oidc.tokenRevocation(await confidentialClient(as()), session.refresh_token ?? '', {
      token_type_hint: 'refresh_token',
    });
    const result = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({
      code: 'not_authenticated',
      oauth_error: 'invalid_grant',
    });
    expect(result.structuredContent?.error.message).toContain('oauth_authenticate_user');
    expect(result.structuredContent?.error.message).not.toContain(session.refresh_token);

    const listed = await mcp.server.call('oauth_list_sessions', {});
    const view = listed.structuredContent?.sessions.find(
      (s: { session_id: string }) => s.session_id === session.session_id,
    );
    expect(view).toMatchObject({ needs_reauth: true, has_refresh_token: true });

    // A known-dead refresh token is not sent again.
    as().resetCounts();
    const again = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    expect(again.structuredContent?.error.code).toBe('not_authenticated');
    expect(as().counts()['POST /token']).toBeUndefined();
  });

  it('keeps the session and frees the lock when the token endpoint fails, so the next call succeeds', async () => {
    const session = await signedInSession(as(), mcp.store);
    as().failNext('/token', { status: 503, body: 'maintenance', contentType: 'text/plain' });
    const failed = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    expect(failed.isError).toBe(true);
    expect(failed.structuredContent?.error.code).not.toBe('not_authenticated');
    const kept = await new Vault(mcp.store).getSession(session.session_id);
    expect(kept).toMatchObject({ refresh_token: session.refresh_token, access_token: session.access_token });
    expect(kept?.needs_reauth).toBeUndefined();
    const retried = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    expect(retried.structuredContent).toMatchObject({ outcome: 'refreshed' });
  });

  it('refuses a client-credentials session with advice to use oauth_client_credentials', async () => {
    const machine = await mcp.server.call('oauth_client_credentials', {
      scopes: ['api:read'],
      resource: DEMO_RESOURCE,
    });
    const result = await mcp.server.call('oauth_refresh_token', {
      session_id: machine.structuredContent?.session.session_id,
    });
    expect(result.structuredContent?.error).toMatchObject({ code: 'invalid_input' });
    expect(result.structuredContent?.error.message).toContain('force_new');
  });

  it('picks the latest session of the default provider when no session_id is given', async () => {
    await signedInSession(as(), mcp.store, { login: 'alice' });
    const latest = await signedInSession(as(), mcp.store, { login: 'bob' });
    const result = await mcp.server.call('oauth_refresh_token', {});
    expect(result.structuredContent?.session).toMatchObject({
      session_id: latest.session_id,
      subject: 'bob',
    });
  });

  it('never logs a token', async () => {
    const session = await signedInSession(as(), mcp.store);
    await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
    const after = await new Vault(mcp.store).getSession(session.session_id);
    expect(mcp.server.logs()).toContain('refreshed a session');
    for (const secret of [
      session.access_token,
      session.refresh_token,
      after?.access_token,
      after?.refresh_token,
    ]) {
      expect(mcp.server.logs()).not.toContain(secret);
    }
  });
});

describe('refresh without rotation', () => {
  const noRotation = useAuthorizationServer({ rotateRefreshTokens: false });

  const mcp = useInProcessServer(() => demoConfig(noRotation()));

  it('keeps the old refresh token when the response carries none, and it keeps working', async () => {
    const session = await signedInSession(noRotation(), mcp.store);
    for (let i = 0; i < 2; i++) {
      const result = await mcp.server.call('oauth_refresh_token', { session_id: session.session_id });
      expect(result.structuredContent).toMatchObject({
        outcome: 'refreshed',
        access_token_changed: true,
        refresh_token_rotated: false,
        session: { has_refresh_token: true },
      });
    }
    expect((await new Vault(mcp.store).getSession(session.session_id))?.refresh_token).toBe(
      session.refresh_token,
    );
  });
});

describe('two stores on one file (the cross-process lock, in one process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-refresh-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serializes refreshes through the store lock and re-reads the session: one request, same tokens', async () => {
    const path = join(dir, 'tokens.json');
    const first = new FileStore({ path, reason: 'test' });
    const second = new FileStore({ path, reason: 'test' });
    const servers = [
      await startInProcess(demoConfig(as()), { store: first }),
      await startInProcess(demoConfig(as()), { store: second }),
    ];
    try {
      const session = await signedInSession(as(), first);
      as().resetCounts();
      // A slow token endpoint guarantees both callers read the session before either has refreshed.
      as().delay('/token', 300);
      const [a, b] = await Promise.all(
        servers.map((s) => refreshSession(s.runtime.engine.ctx, { sessionId: session.session_id })),
      );
      expect(as().counts()['grant:refresh_token']).toBe(1);
      expect(a?.session.access_token).toBe(b?.session.access_token);
      expect([a?.outcome, b?.outcome].sort()).toEqual(['already_refreshed', 'refreshed']);
      expect((await new Vault(second).getSession(session.session_id))?.access_token).toBe(
        a?.session.access_token,
      );
    } finally {
      for (const s of servers) await s.close();
      await first.close();
      await second.close();
    }
  });
});

describe('refresh with scope (RFC 6749 section 6)', () => {
  const refreshScopes: (string | undefined)[] = [];
  const withScope = useAuthorizationServer({
    onRequest: (request) => {
      const body = request.body as Record<string, string> | undefined;
      if (request.path === '/token' && body?.grant_type === 'refresh_token') refreshScopes.push(body.scope);
    },
  });

  it.each([
    [true, 'openid profile email offline_access'],
    [false, undefined],
  ])(
    'with refreshWithScope %s sends scope %s, and the server grants it again',
    async (refreshWithScope, sent) => {
      refreshScopes.length = 0;
      const config = demoConfig(withScope());
      const provider = { ...config.providers.demo, refreshWithScope };
      const store = new MemoryStore();
      const server = await startInProcess({ ...config, providers: { demo: provider } }, { store });
      try {
        const session = await signedInSession(withScope(), store);
        const result = await server.call('oauth_refresh_token', { session_id: session.session_id });
        expect(result.structuredContent).toMatchObject({
          outcome: 'refreshed',
          session: { scope: 'openid profile email offline_access' },
        });
        expect(refreshScopes).toEqual([sent]);
      } finally {
        await server.close();
        await store.close();
      }
    },
  );
});
