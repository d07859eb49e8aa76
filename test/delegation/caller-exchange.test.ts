// HTTP mode, subject "caller": two users of the built server exchange their own inbound bearer tokens at the
// authorization server that issued them; each gets and sees only their own exchanged tokens, and an inbound
// token is never sent to another server, shown, stored or logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type ConnectedClient,
  connectClient,
  type HttpServerProcess,
  MCP_SCOPES,
  mcpResourceServer,
  startHttpProcess,
} from '../helpers/http-server-process.js';
import {
  EXCHANGER,
  type ExchangeGrant,
  exchangeServerOptions,
  registerExchangeGrants,
  TYPE,
} from '../helpers/token-exchange-grant.js';
import { toolError } from '../helpers/tool-result.js';

const AUDIENCE = 'https://mcp.example.test/mcp';
const ORDERS = 'https://orders.example.test';
const options = exchangeServerOptions();
const as = useAuthorizationServer({
  extraKeys: options.extraKeys,
  clients: options.clients,
  scopes: options.scopes,
  resourceServers: mcpResourceServer(AUDIENCE),
});
const elsewhere: string[] = [];
// Another server that offers token exchange too: only the destination policy keeps a caller's token from it.
const otherOptions = exchangeServerOptions();
const other = useAuthorizationServer({
  extraKeys: otherOptions.extraKeys,
  clients: otherOptions.clients,
  scopes: otherOptions.scopes,
  onRequest: (request) => elsewhere.push(`${request.method} ${request.path}`),
});

let grant: ExchangeGrant;
let server: HttpServerProcess;
let alice: ConnectedClient;
let bob: ConnectedClient;
let aliceToken: string;
let bobToken: string;

const tokenFor = (accountId: string) =>
  as().issueAccessToken({
    accountId,
    clientId: DEMO_CLIENTS.public.clientId,
    scope: MCP_SCOPES,
    resource: AUDIENCE,
  });

beforeAll(async () => {
  grant = registerExchangeGrants(as(), options.key, { [ORDERS]: { scope: 'orders:read orders:write' } });
  registerExchangeGrants(other(), otherOptions.key, { [ORDERS]: { scope: 'orders:read orders:write' } });
  server = await startHttpProcess({
    args: ['--public-url', 'https://mcp.example.test'],
    config: {
      providers: {
        work: { issuer: as.issuer, clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret },
        other: { issuer: other.issuer, clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret },
      },
      defaultProvider: 'work',
      store: { type: 'memory' },
      http: { auth: { issuer: as.issuer, audience: AUDIENCE } },
    },
  });
  aliceToken = await tokenFor('alice');
  bobToken = await tokenFor('bob');
  alice = await connectClient(server.mcpUrl, aliceToken, 'v2-modern');
  bob = await connectClient(server.mcpUrl, bobToken, 'v1');
});

afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await server?.stop();
});

const sessionIds = async (client: ConnectedClient) =>
  ((await client.callTool('oauth_list_sessions')).structuredContent.sessions as { session_id: string }[]).map(
    (s) => s.session_id,
  );

describe('subject "caller" in HTTP mode', () => {
  it("exchanges each user's own inbound token; each sees and uses only their own exchanged session", async () => {
    const forAlice = await alice.callTool('oauth_exchange_token', { subject: 'caller', audience: ORDERS });
    expect(forAlice.isError).toBeFalsy();
    expect(grant.requests.at(-1)).toMatchObject({
      client_id: EXCHANGER.clientId,
      subject: 'alice',
      params: { subject_token: aliceToken, subject_token_type: TYPE.access_token, audience: ORDERS },
    });
    const forBob = await bob.callTool('oauth_exchange_token', { subject: 'caller', audience: ORDERS });
    expect(forBob.isError).toBeFalsy();
    expect(grant.requests.at(-1)).toMatchObject({ subject: 'bob', params: { subject_token: bobToken } });

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

    expect(await sessionIds(alice)).toEqual([aliceSession]);
    expect(await sessionIds(bob)).toEqual([bobSession]);
    const stolen = await bob.callTool('oauth_inspect_token', { session_id: aliceSession });
    expect(toolError(stolen).code).toBe('not_authenticated');

    for (const text of [JSON.stringify(forAlice), JSON.stringify(forBob), server.stderr()]) {
      expect(text).not.toContain(aliceToken);
      expect(text).not.toContain(bobToken);
    }
  });

  it("never sends a caller's token to another authorization server", async () => {
    const before = elsewhere.length;
    const result = await alice.callTool('oauth_exchange_token', {
      provider: 'other',
      subject: 'caller',
      audience: ORDERS,
    });
    expect(toolError(result).code).toBe('forbidden');
    expect(toolError(result).message).toContain(`Your token was issued by ${as.issuer}`);
    expect(toolError(result).message).toMatch(/nothing was sent/i);
    expect(elsewhere.slice(before).filter((r) => r.includes('/token'))).toEqual([]);
  });

  it("refuses actor: true on a shared server unless the operator shares the client's credentials", async () => {
    const before = grant.requests.length;
    const result = await bob.callTool('oauth_exchange_token', {
      subject: 'caller',
      audience: ORDERS,
      actor: true,
    });
    expect(toolError(result).code).toBe('forbidden');
    expect(toolError(result).message).toMatch(/sharedClientCredentials/);
    expect(grant.requests.length).toBe(before);
  });

  it('tells a caller who passes a session as well what to send instead', async () => {
    const result = await bob.callTool('oauth_exchange_token', {
      subject: 'caller',
      session_id: 'ses_x',
      audience: ORDERS,
    });
    expect(toolError(result).message).toMatch(/omit session_id and subject_token_type/);
  });
});
