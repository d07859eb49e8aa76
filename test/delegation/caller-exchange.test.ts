// HTTP mode, subject "caller": two users of the built server exchange their own inbound bearer tokens at the
// authorization server that issued them; each gets and sees only their own exchanged tokens, and an inbound
// token is never sent to another server, shown, stored or logged.
import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import type { ConnectedClient } from '../helpers/http-server-process.js';
import {
  EXCHANGER,
  type ExchangeGrant,
  exchangeServerOptions,
  registerExchangeGrants,
  TYPE,
} from '../helpers/token-exchange-grant.js';
import { toolError } from '../helpers/tool-result.js';
import { useTwoHttpUsers } from '../helpers/two-http-users.js';

const ORDERS = 'https://orders.example.test';
const TARGETS = { [ORDERS]: { scope: 'orders:read orders:write' } };
const elsewhere: string[] = [];
// Another server that offers token exchange too: only the destination policy keeps a caller's token from it.
const { key: otherKey, ...otherOptions } = exchangeServerOptions();
const other = useAuthorizationServer({
  ...otherOptions,
  onRequest: (request) => elsewhere.push(`${request.method} ${request.path}`),
});

let grant: ExchangeGrant;
const { key, ...options } = exchangeServerOptions();
const users = useTwoHttpUsers({
  authorizationServer: options,
  beforeStart: (as) => {
    grant = registerExchangeGrants(as, key, TARGETS);
    registerExchangeGrants(other(), otherKey, TARGETS);
  },
  config: (issuer) => ({
    providers: {
      work: { issuer, clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret },
      other: { issuer: other.issuer, clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret },
    },
    defaultProvider: 'work',
  }),
});

const sessionIds = async (client: ConnectedClient) =>
  ((await client.callTool('oauth_list_sessions')).structuredContent.sessions as { session_id: string }[]).map(
    (s) => s.session_id,
  );

describe('subject "caller" in HTTP mode', () => {
  it("exchanges each user's own inbound token; each sees and uses only their own exchanged session", async () => {
    const forAlice = await users.alice.callTool('oauth_exchange_token', {
      subject: 'caller',
      audience: ORDERS,
    });
    expect(forAlice.isError).toBeFalsy();
    expect(grant.requests.at(-1)).toMatchObject({
      client_id: EXCHANGER.clientId,
      subject: 'alice',
      params: { subject_token: users.aliceToken, subject_token_type: TYPE.access_token, audience: ORDERS },
    });
    const forBob = await users.bob.callTool('oauth_exchange_token', { subject: 'caller', audience: ORDERS });
    expect(forBob.isError).toBeFalsy();
    expect(grant.requests.at(-1)).toMatchObject({
      subject: 'bob',
      params: { subject_token: users.bobToken },
    });

    expect(forAlice.structuredContent).toMatchObject({
      exchanged_from: 'caller',
      claims: { sub: 'alice', aud: ORDERS },
    });
    expect(forBob.structuredContent).toMatchObject({
      exchanged_from: 'caller',
      claims: { sub: 'bob', aud: ORDERS },
    });
    const aliceSession = forAlice.structuredContent.session.session_id as string;
    const bobSession = forBob.structuredContent.session.session_id as string;
    expect(forAlice.structuredContent.session.subject).toBe('alice');

    expect(await sessionIds(users.alice)).toEqual([aliceSession]);
    expect(await sessionIds(users.bob)).toEqual([bobSession]);
    const stolen = await users.bob.callTool('oauth_inspect_token', { session_id: aliceSession });
    expect(toolError(stolen).code).toBe('not_authenticated');

    for (const text of [JSON.stringify(forAlice), JSON.stringify(forBob), users.server.stderr()]) {
      expect(text).not.toContain(users.aliceToken);
      expect(text).not.toContain(users.bobToken);
    }
  });

  it("never sends a caller's token to another authorization server", async () => {
    const before = elsewhere.length;
    const result = await users.alice.callTool('oauth_exchange_token', {
      provider: 'other',
      subject: 'caller',
      audience: ORDERS,
    });
    expect(toolError(result).code).toBe('forbidden');
    expect(toolError(result).message).toContain(`Your token was issued by ${users.as.issuer}`);
    expect(toolError(result).message).toMatch(/nothing was sent/i);
    expect(elsewhere.slice(before).filter((r) => r.includes('/token'))).toEqual([]);
  });

  it("refuses actor: true on a shared server unless the operator shares the client's credentials", async () => {
    const before = grant.requests.length;
    const result = await users.bob.callTool('oauth_exchange_token', {
      subject: 'caller',
      audience: ORDERS,
      actor: true,
    });
    expect(toolError(result).code).toBe('forbidden');
    expect(toolError(result).message).toMatch(/sharedClientCredentials/);
    expect(grant.requests.length).toBe(before);
  });

  it('tells a caller who passes a session as well what to send instead', async () => {
    const result = await users.bob.callTool('oauth_exchange_token', {
      subject: 'caller',
      session_id: 'ses_x',
      audience: ORDERS,
    });
    expect(toolError(result).message).toMatch(/omit session_id and subject_token_type/);
  });
});
