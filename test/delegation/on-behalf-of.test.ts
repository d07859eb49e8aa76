// On-behalf-of in HTTP mode: providers marked `onBehalfOf` get each user's downstream token by exchanging the
// token that user called the built server with (RFC 8693, or Entra's RFC 7523 variant through the preset), on the
// first tool call that needs one; stored per user, reused, and refused with what the user can do instead.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackApi, startLoopbackApi } from '../api/loopback-api.js';
import {
  EXCHANGER,
  type ExchangeGrant,
  exchangeServerOptions,
  JWT_BEARER,
  registerExchangeGrants,
  TOKEN_EXCHANGE,
  TYPE,
} from '../helpers/token-exchange-grant.js';
import { toolError } from '../helpers/tool-result.js';
import { useTwoHttpUsers } from '../helpers/two-http-users.js';

const ORDERS = 'https://orders.example.test';

let api: LoopbackApi;
beforeAll(async () => {
  api = await startLoopbackApi(undefined);
});
afterAll(async () => {
  await api?.close();
});

let grant: ExchangeGrant;
const client = { clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret };
const { key, ...options } = exchangeServerOptions();
const users = useTwoHttpUsers({
  authorizationServer: options,
  beforeStart: (as) => {
    grant = registerExchangeGrants(as, key, { [ORDERS]: { scope: 'orders:read orders:write' } });
  },
  config: (issuer) => ({
    providers: {
      orders: {
        issuer,
        ...client,
        onBehalfOf: 'exchange',
        audience: ORDERS,
        scopes: ['orders:read'],
        apiOrigins: [api.origin],
      },
      entra: {
        preset: 'microsoft-entra',
        issuer,
        ...client,
        onBehalfOf: true,
        scopes: ['orders:write'],
      },
      refused: {
        issuer,
        ...client,
        onBehalfOf: 'exchange',
        audience: 'https://unknown.example.test',
      },
    },
    defaultProvider: 'orders',
  }),
});

/** The claims of the bearer token the API received last. */
const lastApiToken = () => decodeJwt(api.requests.at(-1)?.authorization?.replace(/^Bearer /, '') ?? '');
const exchangesFor = (sub: string) => grant.requests.filter((r) => r.subject === sub);

describe('on-behalf-of (HTTP mode)', () => {
  it("exchanges a user's inbound token on the first API call, stores it for that user and reuses it", async () => {
    const first = await users.alice.callTool('oauth_call_api', {
      provider: 'orders',
      url: `${api.origin}/orders`,
    });
    expect(first.structuredContent.status).toBe(404); // the call went out: the API only knows /whoami
    expect(exchangesFor('alice')).toHaveLength(1);
    expect(exchangesFor('alice')[0]).toMatchObject({
      grant_type: TOKEN_EXCHANGE,
      client_id: EXCHANGER.clientId,
      params: {
        subject_token: users.aliceToken,
        subject_token_type: TYPE.access_token,
        audience: ORDERS,
        scope: 'orders:read',
      },
    });
    expect(lastApiToken()).toMatchObject({ sub: 'alice', aud: ORDERS, scope: 'orders:read' });

    await users.alice.callTool('oauth_call_api', { provider: 'orders', url: `${api.origin}/orders` });
    expect(exchangesFor('alice')).toHaveLength(1);
    const sessions = (await users.alice.callTool('oauth_list_sessions')).structuredContent.sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      provider: 'orders',
      grant: 'token_exchange',
      subject: 'alice',
      exchanged_from: 'caller',
      issued_token_type: TYPE.access_token,
    });
  });

  it("gives another user their own downstream token, never the first user's", async () => {
    await users.bob.callTool('oauth_call_api', { provider: 'orders', url: `${api.origin}/orders` });
    expect(exchangesFor('bob')).toHaveLength(1);
    expect(exchangesFor('bob')[0]?.params.subject_token).toBe(users.bobToken);
    expect(lastApiToken()).toMatchObject({ sub: 'bob', aud: ORDERS });
    const bobs = (await users.bob.callTool('oauth_list_sessions')).structuredContent.sessions;
    expect(bobs.map((s: { subject: string }) => s.subject)).toEqual(['bob']);
    for (const text of [users.server.stderr(), JSON.stringify(bobs)]) {
      expect(text).not.toContain(users.aliceToken);
      expect(text).not.toContain(users.bobToken);
    }
  });

  it("uses Entra's JWT bearer on-behalf-of grant with the microsoft-entra preset", async () => {
    const result = await users.alice.callTool('oauth_inspect_token', { provider: 'entra' });
    expect(result.isError).toBeFalsy();
    expect(grant.requests.at(-1)).toMatchObject({
      grant_type: JWT_BEARER,
      subject: 'alice',
      params: { assertion: users.aliceToken, requested_token_use: 'on_behalf_of', scope: 'orders:write' },
    });
    const sessions = (await users.alice.callTool('oauth_list_sessions', { provider: 'entra' }))
      .structuredContent.sessions;
    expect(sessions).toMatchObject([{ provider: 'entra', grant: 'jwt_bearer', scope: 'orders:write' }]);
  });

  it('tells the user why the server refused to act on their behalf, and that signing in directly works', async () => {
    const result = await users.alice.callTool('oauth_userinfo', { provider: 'refused' });
    expect(result.structuredContent.error).toMatchObject({ oauth_error: 'invalid_target' });
    expect(toolError(result).message).toMatch(/on-behalf-of/);
    expect(toolError(result).message).toMatch(/sign in to "refused" directly/);
    expect(toolError(result).message).toMatch(/oauth_authenticate_user/);
  });

  it("exchanges the caller's token again, once, when the API rejects the downstream token as invalid", async () => {
    // The session has no refresh token: a new exchange is its renewal (the API's /whoami rejects every token).
    const exchanged = exchangesFor('alice').length;
    const seen = api.requests.length;
    const result = await users.alice.callTool('oauth_call_api', {
      provider: 'orders',
      url: `${api.origin}/whoami`,
    });
    expect(result.structuredContent).toMatchObject({ status: 401, refreshed: true });
    expect(exchangesFor('alice')).toHaveLength(exchanged + 1);
    const [first, second, ...more] = api.requests.slice(seen);
    expect(more).toEqual([]);
    expect(second?.authorization).toBeDefined();
    expect(second?.authorization).not.toBe(first?.authorization);
    expect(lastApiToken()).toMatchObject({ sub: 'alice', aud: ORDERS });
  });
});
