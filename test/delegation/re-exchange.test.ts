// On-behalf-of through the engine as a library (HTTP mode): a session that can no longer last is exchanged again
// and the old one dropped; a usable one is reused; without a caller's token nothing is exchanged.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/auth/engine.js';
import { findSession } from '../../src/auth/sessions/sessions.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { mcpResourceServer } from '../helpers/http-server-process.js';
import { EXCHANGER, exchangeServerOptions, registerExchangeGrants } from '../helpers/token-exchange-grant.js';
import { AUDIENCE, mcpAccessToken } from '../helpers/two-http-users.js';

const ORDERS = 'https://orders.example.test';
const { key, ...options } = exchangeServerOptions();
const as = useAuthorizationServer({ ...options, resourceServers: mcpResourceServer(AUDIENCE) });

async function setUp() {
  const grant = registerExchangeGrants(as(), key, { [ORDERS]: { scope: 'orders:read' } });
  const config = parseConfig(
    {
      providers: {
        orders: {
          issuer: as.issuer,
          clientId: EXCHANGER.clientId,
          clientSecret: EXCHANGER.clientSecret,
          onBehalfOf: 'exchange',
          audience: ORDERS,
        },
      },
      http: { auth: { issuer: as.issuer, audience: AUDIENCE } },
    },
    {},
  );
  const store = new MemoryStore();
  const engine = createEngine({
    config,
    store,
    logger: createLogger({ write: () => undefined }),
    callbackUrl: 'https://mcp.example.test/oauth/callback',
  });
  const user = engine.forPrincipal(JSON.stringify([as.issuer, 'alice']));
  const token = await mcpAccessToken(as(), 'alice');
  return { grant, user, token, vault: user.ctx.vault };
}

describe('on-behalf-of sessions over time', () => {
  it('reuses a lasting session, and exchanges again (dropping the old one) once it can no longer last', async () => {
    const { grant, user, token, vault } = await setUp();
    const first = await findSession(user.forCaller(token).ctx, { provider: 'orders' });
    expect(first).toMatchObject({ grant: 'token_exchange', exchanged_from: 'caller', subject: 'alice' });
    const exchanges = grant.requests.length;
    expect((await findSession(user.forCaller(token).ctx, { provider: 'orders' })).session_id).toBe(
      first.session_id,
    );
    expect(grant.requests.length).toBe(exchanges);

    // Expiring within the minute and no refresh token: it would fail the call it was chosen for.
    await vault.putSession({ ...first, expires_at: new Date(Date.now() + 30_000).toISOString() });
    const second = await findSession(user.forCaller(token).ctx, { provider: 'orders' });
    expect(second.session_id).not.toBe(first.session_id);
    expect(grant.requests.length).toBe(exchanges + 1);
    expect((await vault.listSessions({ provider: 'orders' })).map((s) => s.session_id)).toEqual([
      second.session_id,
    ]);
  });

  it("shares one exchange among a user's concurrent tool calls", async () => {
    const { grant, user, token } = await setUp();
    const before = grant.requests.length;
    const sessions = await Promise.all(
      [1, 2, 3].map(() => findSession(user.forCaller(token).ctx, { provider: 'orders' })),
    );
    expect(grant.requests.length).toBe(before + 1);
    expect(new Set(sessions.map((s) => s.session_id)).size).toBe(1);
  });

  it('exchanges nothing without a caller token: the user is told to sign in', async () => {
    const { grant, user } = await setUp();
    const before = grant.requests.length;
    await expect(findSession(user.forCaller(undefined).ctx, { provider: 'orders' })).rejects.toThrow(
      /No session for provider "orders"/,
    );
    expect(grant.requests.length).toBe(before);
  });
});
