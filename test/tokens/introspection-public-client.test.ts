// oauth_introspect_token for a public client at a server that refuses it (RFC 7662 section 2.1 lets a server
// require client authentication): tokens from the real oidc-provider, its introspection endpoint replaced by
// a small server on 127.0.0.1 that refuses every unauthenticated client, as such servers do.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

const JWT_API = 'http://127.0.0.1/jwt-api';
const as = useAuthorizationServer({
  resourceServers: { [JWT_API]: { scope: 'api:read', accessTokenFormat: 'jwt' } },
});
let refusing: FixtureServer;
let mcp: InProcessServer;

beforeAll(async () => {
  refusing = await startFixtureServer(() => ({
    'POST /introspect': (request) =>
      request.headers.authorization
        ? { body: { active: true } }
        : {
            status: 401,
            headers: { 'www-authenticate': 'Basic realm="introspection"' },
            body: { error: 'invalid_client', error_description: 'client authentication required' },
          },
  }));
  const { clientId } = as().clients.public;
  mcp = await startInProcess({
    providers: {
      public: {
        issuer: as.issuer,
        clientId,
        metadata: { introspection_endpoint: `${refusing.origin}/introspect` },
      },
    },
  });
});
afterAll(async () => {
  await mcp?.close();
  await refusing?.close();
});

const issue = (resource?: string) =>
  as().issueAccessToken({
    accountId: 'ada',
    clientId: as().clients.public.clientId,
    scope: resource ? 'api:read' : 'openid',
    ...(resource ? { resource } : {}),
  });

describe('introspection refused to a public client', () => {
  it('checks a JWT access token locally instead, and says which method answered and why', async () => {
    const token = await issue(JWT_API);
    const result = await mcp.call('oauth_introspect_token', { token });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ active: true, method: 'local_jwt', sub: 'ada' });
    expect(result.structuredContent.introspection_refused).toMatch(
      /refused introspection by this public client \(invalid_client; RFC 7662 section 2\.1 .*checked locally/,
    );
    expect(refusing.requests).toHaveLength(1);
  });

  it('says a JWT that fails the local check is not active, still naming the local method', async () => {
    const token = await issue(JWT_API);
    const [header, payload] = token.split('.');
    const result = await mcp.call('oauth_introspect_token', { token: `${header}.${payload}.AAAA` });
    expect(result.structuredContent).toMatchObject({ active: false, method: 'local_jwt' });
  });

  it('for an opaque token, says introspection needs a confidential client', async () => {
    const token = await issue();
    const error = toolError(await mcp.call('oauth_introspect_token', { token }));
    expect(error).toMatchObject({ code: 'not_configured' });
    expect(error.message).toMatch(
      /not a JWT that could be checked locally\. Introspection needs a confidential client: give this provider a "clientSecret"/,
    );
    expect(error.message).not.toMatch(/grant type/);
  });
});
