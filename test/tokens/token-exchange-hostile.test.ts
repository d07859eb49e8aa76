// oauth_exchange_token against a hostile token endpoint: an answer without issued_token_type is not kept, a
// subject token echoed in an error is redacted, and oversized or ill-typed claims are not read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { sessionFromTokens } from '../../src/auth/sessions/sessions.js';
import {
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { toolError, useInProcessServer } from '../helpers/in-process-server.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const SUBJECT = 'subject-token-of-alice-0123456789abcdef';
let hostile: HostileAuthorizationServer;

beforeAll(async () => {
  hostile = await startHostileAuthorizationServer({}, { grant_types_supported: [TOKEN_EXCHANGE] });
});
afterAll(() => hostile?.close());

const mcp = useInProcessServer(
  () => ({
    providers: { evil: { issuer: hostile.issuer, clientId: 'c', clientSecret: 'client-secret-xyz' } },
  }),
  { each: true },
);

async function subjectSession(): Promise<string> {
  const session = sessionFromTokens({
    provider: 'evil',
    issuer: hostile.issuer,
    clientId: 'c',
    grant: 'authorization_code',
    requestedScope: 'openid',
    tokens: { access_token: SUBJECT, token_type: 'bearer', expires_in: 3600 },
  });
  await new Vault(mcp.store).putSession(session);
  return session.session_id;
}

/** An unsigned JWT with these claims (only decoded by the exchange; the token doctor verifies). */
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

describe('oauth_exchange_token against a hostile server', () => {
  it('keeps nothing from an answer without issued_token_type (RFC 8693 2.2.1)', async () => {
    hostile.endpoints.token = () => ({ body: { access_token: 'issued-abc', token_type: 'Bearer' } });
    const sessionId = await subjectSession();
    const result = await mcp.server.call('oauth_exchange_token', { session_id: sessionId, audience: 'x' });
    expect(toolError(result).code).toBe('invalid_response');
    expect(toolError(result).message).toMatch(/without a valid issued_token_type/);
    expect((await new Vault(mcp.store).listSessions({})).map((s) => s.session_id)).toEqual([sessionId]);
  });

  it('redacts the subject token when the server echoes it in its error', async () => {
    hostile.endpoints.token = ({ form }) => ({
      status: 400,
      body: { error: 'invalid_target', error_description: `no audience for ${form.get('subject_token')}` },
    });
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: await subjectSession(),
      audience: 'x',
    });
    expect(result.structuredContent.error.oauth_error).toBe('invalid_target');
    expect(JSON.stringify(result)).not.toContain(SUBJECT);
    expect(mcp.server.logs()).not.toContain(SUBJECT);
  });

  it('reads back only bounded, well-typed claims from the issued JWT', async () => {
    hostile.endpoints.token = () => ({
      body: {
        access_token: jwt({
          sub: 'alice',
          aud: { not: 'a string' },
          act: { sub: 'x'.repeat(5000) },
          may_act: ['x'],
        }),
        token_type: 'Bearer',
        issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        expires_in: 60,
      },
    });
    const result = await mcp.server.call('oauth_exchange_token', {
      session_id: await subjectSession(),
      requested_token_type: 'jwt',
      audience: 'x',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.issued_token_type).toBe('urn:ietf:params:oauth:token-type:jwt');
    expect(result.structuredContent.claims).toEqual({ sub: 'alice' });
  });
});
