// How APIs want the token (apiAuth per provider and per origin), when a 401 may spend a refresh, and
// step-up: loopback APIs that check tokens by introspection at the real oidc-provider.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { confidentialClient } from '../helpers/signed-in-session.js';
import { signIn } from '../helpers/user-agent.js';
import { type LoopbackApi, startLoopbackApi } from './loopback-api.js';

const as = useAuthorizationServer();

describe('apiAuth, 401 handling and step-up', () => {
  let introspection: oidc.Configuration;
  let api: LoopbackApi;
  let tokenApi: LoopbackApi;
  let headerApi: LoopbackApi;
  let store: MemoryStore;
  let server: InProcessServer;

  /** A route that accepts the token only as `read(req)` finds it, with `scope` granted. */
  const accepting =
    (read: (req: IncomingMessage) => string | undefined, scope?: string) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const token = read(req);
      const info = token ? await oidc.tokenIntrospection(introspection, token) : undefined;
      if (!info?.active) {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
        return;
      }
      if (scope && !info.scope?.split(' ').includes(scope)) {
        res
          .writeHead(403, { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` })
          .end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: info.sub }));
    };
  const bearer = (req: IncomingMessage) => req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];

  const signInAs = async (provider: string, login: string, extra: Record<string, unknown> = {}) => {
    const started = await server.call('oauth_authenticate_user', { provider, wait_seconds: 0, ...extra });
    await signIn(started.structuredContent?.authorization_url, { login, followCallback: true });
    const done = await server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent?.flow_id,
      wait_seconds: 5,
    });
    expect(done.structuredContent?.status).toBe('authenticated');
    return done.structuredContent?.session as { session_id: string; scope: string };
  };

  beforeAll(async () => {
    introspection = await confidentialClient(as());
    api = await startLoopbackApi(introspection, {
      '/bare-only': accepting((req) =>
        /\s/.test(req.headers.authorization ?? ' ') ? undefined : req.headers.authorization,
      ),
      '/bare-challenge': (_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="api"' }).end();
      },
      '/needs-email': accepting(bearer, 'email'),
    });
    tokenApi = await startLoopbackApi(introspection, {
      '/x': accepting((req) => req.headers.authorization?.match(/^token (.+)$/)?.[1]),
    });
    headerApi = await startLoopbackApi(introspection, {
      '/x': accepting((req) =>
        req.headers.authorization ? undefined : (req.headers['x-api-key'] as string),
      ),
    });
    store = new MemoryStore();
    const client = { issuer: as.issuer, ...as().clients.confidential, scopes: ['openid', 'offline_access'] };
    server = await startInProcess(
      {
        providers: { work: client, bare: { ...client, apiAuth: { scheme: '' } } },
        defaultProvider: 'work',
        api: {
          allowedOrigins: [api.origin, tokenApi.origin, headerApi.origin],
          apiAuth: {
            [tokenApi.origin]: { scheme: 'token' },
            [`${headerApi.origin}/`]: { header: 'X-Api-Key', scheme: '' },
          },
        },
      },
      { store },
    );
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([api.close(), tokenApi.close(), headerApi.close()]);
    await store.close();
  });
  beforeEach(() => as().resetCounts());

  it('sends the bare token in Authorization where the provider says scheme ""', async () => {
    const session = await signInAs('bare', 'alice');
    const result = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${api.origin}/bare-only`,
    });
    expect(result.structuredContent).toMatchObject({ status: 200, json: { sub: 'alice' } });
  });

  it('uses the scheme or the header that api.apiAuth gives for an origin', async () => {
    const session = await signInAs('work', 'bob');
    const withScheme = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${tokenApi.origin}/x`,
    });
    expect(withScheme.structuredContent).toMatchObject({ status: 200, json: { sub: 'bob' } });
    const withHeader = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${headerApi.origin}/x`,
    });
    expect(withHeader.structuredContent).toMatchObject({ status: 200, json: { sub: 'bob' } });
    const overridden = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${headerApi.origin}/x`,
      headers: { 'X-API-Key': 'mine' },
    });
    expect(toolError(overridden).code).toBe('invalid_input');
  });

  it('does not spend a refresh on a 401 whose challenge says nothing about the token', async () => {
    const session = await signInAs('work', 'carol');
    as().resetCounts();
    for (let i = 0; i < 3; i++) {
      const result = await server.call('oauth_call_api', {
        session_id: session.session_id,
        url: `${api.origin}/bare-challenge`,
      });
      expect(result.structuredContent).toMatchObject({ status: 401, refreshed: false });
    }
    expect(as().counts()['grant:refresh_token']).toBeUndefined();
  });

  it('refreshes once on such a 401 when the token is within the clock-skew margin of expiry', async () => {
    const session = await signInAs('work', 'dave');
    const vault = new Vault(store);
    const stored = await vault.getSession(session.session_id);
    await vault.putSession({ ...stored!, expires_at: new Date(Date.now() + 120_000).toISOString() });
    as().resetCounts();
    const result = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${api.origin}/bare-challenge`,
    });
    expect(result.structuredContent).toMatchObject({ status: 401, refreshed: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);
  });

  it('names the missing scope on insufficient_scope, and a step-up sign-in adds it to the session', async () => {
    const session = await signInAs('work', 'erin');
    expect(session.scope.split(' ')).not.toContain('email');
    const refused = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${api.origin}/needs-email`,
    });
    const error = toolError(refused) as { code: string; message: string; oauth_error?: string };
    expect(error).toMatchObject({ code: 'forbidden', oauth_error: 'insufficient_scope' });
    expect(error.message).toContain('"email"');
    expect(error.message).toContain(`oauth_authenticate_user with session_id "${session.session_id}"`);

    const stepped = await signInAs('work', 'erin', { session_id: session.session_id, scopes: ['email'] });
    expect(stepped.session_id).toBe(session.session_id);
    expect(stepped.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access', 'email']));
    const allowed = await server.call('oauth_call_api', {
      session_id: session.session_id,
      url: `${api.origin}/needs-email`,
    });
    expect(allowed.structuredContent).toMatchObject({ status: 200, json: { sub: 'erin' } });
  });
});
