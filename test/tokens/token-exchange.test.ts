// oauth_exchange_token (RFC 8693) against a real oidc-provider with the token-exchange grant registered: what
// reaches the grant (subject and actor tokens and their types, audience, resource, scope), what was issued (aud,
// scope, act), the new session working with the other tools, and the server's refusals with the next step.
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { sessionFromTokens } from '../../src/auth/sessions/sessions.js';
import { DEMO_CLIENTS } from '../../src/demo/authorization-server.js';
import { signToken } from '../diagnostics/keys.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { toolError, useInProcessServer } from '../helpers/in-process-server.js';
import {
  EXCHANGER,
  type ExchangeGrant,
  exchangeServerOptions,
  registerExchangeGrants,
  TOKEN_EXCHANGE,
  TYPE,
} from '../helpers/token-exchange-grant.js';

const ORDERS = 'https://orders.example.test';
const LEDGER = 'http://127.0.0.1/ledger-api';
const options = exchangeServerOptions();
const as = useAuthorizationServer({
  extraKeys: options.extraKeys,
  clients: options.clients,
  scopes: options.scopes,
  resourceServers: { [LEDGER]: { scope: 'api:read api:write', accessTokenFormat: 'opaque' } },
});
const plain = useAuthorizationServer();
let grant: ExchangeGrant;
beforeAll(() => {
  grant = registerExchangeGrants(as(), options.key, {
    [ORDERS]: { scope: 'orders:read orders:write' },
    [LEDGER]: { scope: 'api:read api:write', format: 'opaque' },
  });
});

const mcp = useInProcessServer(
  () => ({
    providers: {
      work: { issuer: as.issuer, clientId: EXCHANGER.clientId, clientSecret: EXCHANGER.clientSecret },
      demo: {
        issuer: as.issuer,
        clientId: DEMO_CLIENTS.confidential.clientId,
        clientSecret: DEMO_CLIENTS.confidential.clientSecret,
      },
      plain: {
        issuer: plain.issuer,
        clientId: DEMO_CLIENTS.confidential.clientId,
        clientSecret: DEMO_CLIENTS.confidential.clientSecret,
      },
      // The operator's word that the server offers the grant although its metadata does not list it.
      listed: {
        issuer: plain.issuer,
        clientId: DEMO_CLIENTS.confidential.clientId,
        clientSecret: DEMO_CLIENTS.confidential.clientSecret,
        metadata: { grant_types_supported: ['authorization_code', TOKEN_EXCHANGE] },
      },
    },
    defaultProvider: 'work',
  }),
  { each: true },
);

/** A user's session as a sign-in stores it, with a real access token of the server (opaque, userinfo scope). */
async function userSession(
  provider = 'work',
  options: { login?: string; expired?: boolean } = {},
): Promise<StoredSession> {
  const clientId = provider === 'work' ? EXCHANGER.clientId : DEMO_CLIENTS.confidential.clientId;
  const server = provider === 'plain' || provider === 'listed' ? plain() : as();
  const accessToken = await server.issueAccessToken({
    accountId: options.login ?? 'alice',
    clientId,
    scope: 'openid profile',
  });
  const session = sessionFromTokens({
    provider,
    issuer: server.issuer,
    clientId,
    grant: 'authorization_code',
    requestedScope: 'openid profile',
    tokens: {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: options.expired ? 0 : 3600,
      scope: 'openid profile',
    },
  });
  await new Vault(mcp.store).putSession(session);
  return session;
}

const lastRequest = () => grant.requests.at(-1);

describe('oauth_exchange_token', () => {
  it("exchanges a session's access token for a token of its own for an audience, and reads its claims back", async () => {
    const subject = await userSession();
    const before = grant.requests.length;
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
      scopes: 'orders:read',
    });
    expect(result.isError).toBeFalsy();
    expect(grant.requests.length).toBe(before + 1);
    expect(lastRequest()).toMatchObject({
      grant_type: TOKEN_EXCHANGE,
      client_id: EXCHANGER.clientId,
      subject: 'alice',
      params: {
        subject_token: subject.access_token,
        subject_token_type: TYPE.access_token,
        requested_token_type: TYPE.access_token,
        audience: ORDERS,
        scope: 'orders:read',
      },
    });
    expect(lastRequest()?.params.actor_token).toBeUndefined();
    expect(lastRequest()?.params.resource).toBeUndefined();

    const out = result.structuredContent;
    expect(out.issued_token_type).toBe(TYPE.access_token);
    expect(out.exchanged_from).toBe(subject.session_id);
    expect(out.claims).toMatchObject({ sub: 'alice', aud: ORDERS, scope: 'orders:read' });
    expect(out.claims.act).toBeUndefined();
    expect(out.session).toMatchObject({
      provider: 'work',
      grant: 'token_exchange',
      scope: 'orders:read',
      exchanged_from: subject.session_id,
      issued_token_type: TYPE.access_token,
    });
    expect(out.session.session_id).not.toBe(subject.session_id);
    expect(out.session.expires_at).toEqual(expect.any(String));
    expect(out.session.access_token).toBeUndefined();

    const stored = await new Vault(mcp.store).getSession(out.session.session_id);
    expect(stored?.access_token).toBeTruthy();
    // Neither the subject token nor the issued one reaches the model.
    const text = JSON.stringify(result);
    expect(text).not.toContain(subject.access_token);
    expect(text).not.toContain(stored?.access_token);
    // The subject session is untouched.
    expect((await new Vault(mcp.store).getSession(subject.session_id))?.access_token).toBe(
      subject.access_token,
    );
  });

  it("sends the client's own client-credentials token as actor_token and reports the act claim", async () => {
    const subject = await userSession();
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: [ORDERS],
      actor: true,
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest()?.params).toMatchObject({ actor_token_type: TYPE.access_token });
    expect(lastRequest()?.params.actor_token).toEqual(expect.any(String));
    expect(lastRequest()?.actor).toBe(EXCHANGER.clientId);
    expect(result.structuredContent.claims).toMatchObject({
      sub: 'alice',
      act: { sub: EXCHANGER.clientId },
      may_act: { sub: EXCHANGER.clientId },
    });
    expect(JSON.stringify(result)).not.toContain(lastRequest()?.params.actor_token as string);
  });

  it('sends resource and a narrowed scope; the new session works with introspection, the token doctor and revocation', async () => {
    const subject = await userSession();
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      resource: LEDGER,
      scopes: ['api:read'],
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest()?.params).toMatchObject({ resource: LEDGER, scope: 'api:read' });
    expect(lastRequest()?.params.audience).toBeUndefined();
    const session = result.structuredContent.session;
    expect(session).toMatchObject({ resource: LEDGER, scope: 'api:read', grant: 'token_exchange' });
    expect(result.structuredContent.claims).toBeUndefined(); // opaque: nothing to read back

    const introspected = await mcp.server.call('oauth_introspect_token', { session_id: session.session_id });
    expect(introspected.structuredContent).toMatchObject({ active: true, sub: 'alice', scope: 'api:read' });
    const doctor = await mcp.server.call('oauth_inspect_token', { session_id: session.session_id });
    expect(doctor.isError).toBeFalsy();
    const revoked = await mcp.server.call('oauth_revoke_access', { session_id: session.session_id });
    expect(revoked.structuredContent.session_removed).toBe(true);
    expect(revoked.structuredContent.revoked).toHaveLength(1);
  });

  it("exchanges a session's ID token with subject_token_type id_token (the URN form accepted too)", async () => {
    const subject = await userSession();
    const idToken = await signToken(options.key, { iss: as.issuer, aud: EXCHANGER.clientId, typ: 'JWT' });
    await new Vault(mcp.store).putSession({ ...subject, id_token: idToken });
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      audience: ORDERS,
    });
    expect(result.isError).toBeFalsy();
    expect(lastRequest()?.params).toMatchObject({
      subject_token: idToken,
      subject_token_type: TYPE.id_token,
    });
    expect(result.structuredContent.claims).toMatchObject({ sub: 'alice', aud: ORDERS });
    expect(JSON.stringify(result)).not.toContain(idToken);
  });

  it('refuses an audience the server does not know: invalid_target, with what to send instead, and keeps nothing', async () => {
    const subject = await userSession();
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: 'https://unknown.example.test',
    });
    const error = toolError(result);
    expect(result.structuredContent.error.oauth_error).toBe('invalid_target');
    expect(error.message).toMatch(/will not issue a token for that audience or resource/);
    expect(error.message).toMatch(/omit audience and resource/);
    const sessions = await new Vault(mcp.store).listSessions({});
    expect(sessions.map((s) => s.grant)).toEqual(['authorization_code']);
  });

  it('passes on the refusal of a client that may not use the grant, saying the operator must allow it', async () => {
    const subject = await userSession('demo');
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
    });
    expect(result.structuredContent.error).toMatchObject({
      code: 'oauth_error',
      oauth_error: 'invalid_request',
    });
    expect(toolError(result).message).toMatch(/may use token exchange/);
  });

  it('refuses an expired subject without a refresh token before sending anything', async () => {
    const subject = await userSession('work', { expired: true });
    const before = grant.requests.length;
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
    });
    expect(toolError(result).code).toBe('not_authenticated');
    expect(toolError(result).message).toMatch(/has expired .* Sign the user in again/);
    expect(grant.requests.length).toBe(before);
  });

  it('passes on the server refusing a subject token it no longer accepts (invalid_grant) with the next step', async () => {
    const subject = await userSession();
    // The session still looks valid here, but the server has forgotten the token (revoked elsewhere).
    await new Vault(mcp.store).putSession({ ...subject, access_token: 'not-a-token-of-this-server' });
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
    });
    expect(result.structuredContent.error.oauth_error).toBe('invalid_grant');
    expect(toolError(result).message).toMatch(/did not accept the subject token.*oauth_authenticate_user/s);
  });

  it('refuses a provider whose server does not advertise token exchange, sending nothing', async () => {
    const subject = await userSession('plain');
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
    });
    expect(toolError(result).code).toBe('not_configured');
    expect(toolError(result).message).toMatch(
      /does not offer token exchange.*grant_types_supported.*Nothing was sent/s,
    );
  });

  it('asks a server the config says offers the grant, and passes on its unsupported_grant_type with the next step', async () => {
    const subject = await userSession('plain');
    const result = await mcp.server.call('oauth_exchange_token', {
      provider: 'listed',
      session_id: subject.session_id,
      audience: ORDERS,
    });
    expect(toolError(result).message).toMatch(/Session .* belongs to provider "plain", not "listed"/);
    const own = await userSession('listed');
    const refused = await mcp.server.call('oauth_exchange_token', {
      session_id: own.session_id,
      audience: ORDERS,
    });
    expect(refused.structuredContent.error.oauth_error).toBe('unsupported_grant_type');
    expect(toolError(refused).message).toMatch(
      /does not support token exchange \(RFC 8693\) at its token endpoint/,
    );
  });

  it('refuses subject "caller" outside HTTP mode, and a session subject without an ID token for subject_token_type id_token', async () => {
    const caller = await mcp.server.call('oauth_exchange_token', { subject: 'caller', audience: ORDERS });
    expect(toolError(caller).code).toBe('invalid_input');
    expect(toolError(caller).message).toMatch(/only on an HTTP server with http.auth/);
    const subject = await userSession();
    const noIdToken = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      audience: ORDERS,
    });
    expect(toolError(noIdToken).message).toMatch(/has no ID token.*omit subject_token_type/);
  });

  it('passes on a requested token type the server does not issue', async () => {
    const subject = await userSession();
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: subject.session_id,
      audience: ORDERS,
      requested_token_type: 'refresh_token',
    });
    expect(lastRequest()?.params.requested_token_type).toBe('urn:ietf:params:oauth:token-type:refresh_token');
    expect(result.structuredContent.error.oauth_error).toBe('invalid_request');
    expect(toolError(result).message).toMatch(/requested_token_type/);
  });

  it('is reported by oauth_audit_server: offered where grant_types_supported lists it, not offered elsewhere', async () => {
    const check = async (provider: string) => {
      const report = await mcp.server.call('oauth_audit_server', { provider });
      const checks = report.structuredContent.sections.flatMap((s: { checks: unknown[] }) => s.checks);
      return checks.find((c: { id: string }) => c.id === 'token_exchange');
    };
    expect(await check('work')).toMatchObject({
      status: 'info',
      message: expect.stringMatching(/^Token exchange is offered/),
    });
    expect(await check('plain')).toMatchObject({
      status: 'info',
      message: expect.stringMatching(
        /^Token exchange is not offered \(grant_types_supported does not list it\)/,
      ),
    });
  });
});
