// oauth_call_api through a real MCP client: a loopback API that checks the bearer token by
// introspection at the real oidc-provider, a second origin that must never see a request, 401 handling.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { confidentialClient, demoConfig, signedInSession } from '../helpers/signed-in-session.js';
import { type LoopbackApi, startLoopbackApi } from './loopback-api.js';

const as = useAuthorizationServer();
const TIMEOUT_MS = 1_500;

describe('oauth_call_api', () => {
  let api: LoopbackApi;
  let elsewhere: LoopbackApi;
  let store: MemoryStore;
  let server: InProcessServer;
  let session: StoredSession;
  const hanging = new Set<ServerResponse>();
  let hangingClosed = 0;

  beforeAll(async () => {
    elsewhere = await startLoopbackApi(undefined);
    api = await startLoopbackApi(await confidentialClient(as()), {
      '/always-401': (_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      },
      '/redirect-away': (_req, res) => {
        res.writeHead(302, { location: `${elsewhere.origin}/collect` }).end();
      },
      '/redirect-home': (_req, res) => {
        res.writeHead(303, { location: '/whoami' }).end();
      },
      '/big': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(200_000));
      },
      '/binary': (_req, res) => {
        res
          .writeHead(200, { 'content-type': 'image/png' })
          .end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
      },
      '/echo': (_req, res, seen) => {
        res.writeHead(200, {
          'content-type': 'text/plain',
          'set-cookie': 'sid=very-secret-cookie; HttpOnly',
          'x-echo-authorization': seen.authorization ?? '',
        });
        res.end(`you sent: ${seen.authorization}`);
      },
      '/hang': (_req: IncomingMessage, res: ServerResponse) => {
        hanging.add(res);
        res.on('close', () => {
          hangingClosed++;
        });
      },
    });
    store = new MemoryStore();
    server = await startInProcess(
      demoConfig(as(), { api: { allowedOrigins: [api.origin, as.issuer] }, timeoutMs: TIMEOUT_MS }),
      { store },
    );
  });
  afterAll(async () => {
    await server.close();
    for (const res of hanging) res.destroy();
    await api.close();
    await elsewhere.close();
    await store.close();
  });
  beforeEach(async () => {
    session = await signedInSession(as(), store);
    api.requests.length = 0;
    as().resetCounts();
  });

  const call = (args: Record<string, unknown>) =>
    server.call('oauth_call_api', { session_id: session.session_id, ...args });

  it("sends the session's access token to an allowed API and returns its JSON", async () => {
    const result = await call({
      method: 'POST',
      url: `${api.origin}/whoami`,
      query: { page: '2' },
      json: { hello: 'world' },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      status: 200,
      url: `${api.origin}/whoami?page=2`,
      json: { sub: 'alice', method: 'POST', body: '{"hello":"world"}' },
      truncated: false,
      session_id: session.session_id,
      refreshed: false,
    });
    expect(result.structuredContent?.headers['x-request-id']).toBe('req-1');
    expect(api.requests).toEqual([
      expect.objectContaining({ path: '/whoami?page=2', authorization: `Bearer ${session.access_token}` }),
    ]);
  });

  it('sends an object given as body as JSON, like json', async () => {
    const result = await call({ method: 'POST', url: `${api.origin}/whoami`, body: { a: 1, b: [true] } });
    expect(result.structuredContent).toMatchObject({ status: 200, json: { body: '{"a":1,"b":[true]}' } });
    expect(api.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('sends a string body as is, without a JSON content-type', async () => {
    const result = await call({ method: 'PUT', url: `${api.origin}/whoami`, body: '{"a":1}' });
    expect(result.structuredContent).toMatchObject({ status: 200, json: { method: 'PUT', body: '{"a":1}' } });
    expect(api.requests[0]?.headers['content-type']).not.toBe('application/json');
  });

  it('refuses an object body together with json, saying to give one of them', async () => {
    const result = await call({
      method: 'POST',
      url: `${api.origin}/whoami`,
      body: { a: 1 },
      json: { a: 1 },
    });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/Give either "body" .* or "json"/);
    expect(api.requests).toHaveLength(0);
  });

  it("calls the authorization server's userinfo endpoint when its origin is allowed", async () => {
    const result = await call({ url: `${as.issuer}/me` });
    expect(result.structuredContent).toMatchObject({
      status: 200,
      json: { sub: 'alice', email: 'alice@example.test' },
    });
  });

  it('refuses an origin that is not allowed and sends it nothing', async () => {
    const result = await call({ url: `${elsewhere.origin}/collect` });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error.code).toBe('forbidden');
    expect(result.structuredContent?.error.message).toContain('api.allowedOrigins');
    expect(elsewhere.requests).toEqual([]);
  });

  it('refuses plain http to a host that is not loopback', async () => {
    const result = await call({ url: 'http://api.example.com/data' });
    expect(result.structuredContent?.error).toMatchObject({ code: 'invalid_input' });
    expect(result.structuredContent?.error.message).toContain('https://');
  });

  it('refuses an Authorization header from the caller', async () => {
    const result = await call({ url: `${api.origin}/whoami`, headers: { Authorization: 'Bearer mine' } });
    expect(result.structuredContent?.error.code).toBe('invalid_input');
    expect(api.requests).toEqual([]);
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    // A dead access token beside a live refresh token: oidc-provider revokes the whole grant when an
    // access token is revoked, so the dead token comes from a second sign-in whose grant was revoked.
    const other = await signedInSession(as(), new MemoryStore());
    await oidc.tokenRevocation(await confidentialClient(as()), other.access_token, {
      token_type_hint: 'access_token',
    });
    await new Vault(store).putSession({ ...session, access_token: other.access_token });
    as().resetCounts();
    const result = await call({ url: `${api.origin}/whoami` });
    expect(result.structuredContent).toMatchObject({ status: 200, json: { sub: 'alice' }, refreshed: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);
    const stored = await new Vault(store).getSession(session.session_id);
    expect(stored?.access_token).not.toBe(session.access_token);
    expect(api.requests.map((r) => r.authorization)).toEqual([
      `Bearer ${other.access_token}`,
      `Bearer ${stored?.access_token}`,
    ]);
  });

  it('returns the 401 when the API still refuses after one refresh, without trying again', async () => {
    const result = await call({ url: `${api.origin}/always-401` });
    expect(result.structuredContent).toMatchObject({ status: 401, refreshed: true });
    expect(result.structuredContent?.headers['www-authenticate']).toContain('invalid_token');
    expect(api.requests).toHaveLength(2);
    expect(as().counts()['grant:refresh_token']).toBe(1);
  });

  it('refreshes first when the access token expires within 60 s', async () => {
    await new Vault(store).putSession({
      ...session,
      expires_at: new Date(Date.now() + 30_000).toISOString(),
    });
    const result = await call({ url: `${api.origin}/whoami` });
    expect(result.structuredContent).toMatchObject({ status: 200, refreshed: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.authorization).not.toBe(`Bearer ${session.access_token}`);
  });

  it('does not follow a redirect to another origin, so the token never reaches it', async () => {
    const result = await call({ url: `${api.origin}/redirect-away` });
    expect(result.structuredContent).toMatchObject({ status: 302, redirect_not_followed: elsewhere.origin });
    expect(result.structuredContent?.headers.location).toBe(`${elsewhere.origin}/collect`);
    expect(elsewhere.requests).toEqual([]);
  });

  it('follows a redirect within the same origin (303 continues as GET)', async () => {
    const result = await call({ method: 'POST', url: `${api.origin}/redirect-home`, body: 'form=1' });
    expect(result.structuredContent).toMatchObject({
      status: 200,
      url: `${api.origin}/whoami`,
      json: { sub: 'alice', method: 'GET', body: '' },
    });
  });

  it('cuts a long body at max_body_bytes and says it was truncated', async () => {
    const result = await call({ url: `${api.origin}/big`, max_body_bytes: 1000 });
    expect(result.structuredContent).toMatchObject({ status: 200, truncated: true });
    expect(result.structuredContent?.body).toBe('x'.repeat(1000));
  });

  it('returns a binary body as base64', async () => {
    const result = await call({ url: `${api.origin}/binary` });
    expect(result.structuredContent?.body_base64).toBe(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]).toString('base64'),
    );
    expect(result.structuredContent?.body).toBeUndefined();
  });

  it('drops set-cookie and redacts the token where the API echoes it', async () => {
    const result = await call({ url: `${api.origin}/echo` });
    const text = JSON.stringify(result);
    expect(result.structuredContent?.headers['set-cookie']).toBeUndefined();
    expect(text).not.toContain('very-secret-cookie');
    expect(text).not.toContain(session.access_token);
    expect(result.structuredContent?.body).toBe('you sent: Bearer [redacted]');
    expect(result.structuredContent?.headers['x-echo-authorization']).toBe('Bearer [redacted]');
  });

  it('times out an API that does not answer, with a clear error', async () => {
    const started = performance.now();
    const result = await call({ url: `${api.origin}/hang` });
    expect(result.structuredContent?.error.code).toBe('timeout');
    expect(result.structuredContent?.error.message).toContain('timeoutMs');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it('aborts the request when the client cancels the call, and reports it as cancelled, not timed out', async () => {
    const closedBefore = hangingClosed;
    const controller = new AbortController();
    const pending = server.client.callTool(
      { name: 'oauth_call_api', arguments: { session_id: session.session_id, url: `${api.origin}/hang` } },
      { signal: controller.signal },
    );
    await expect.poll(() => api.requests.length).toBe(1);
    controller.abort('user cancelled');
    await expect(pending).rejects.toThrow();
    await expect.poll(() => hangingClosed, { timeout: TIMEOUT_MS / 2 }).toBe(closedBefore + 1);
    await expect.poll(() => server.logs()).toContain('oauth_call_api failed: cancelled');
  });
});
