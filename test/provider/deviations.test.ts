// Real servers' deviations, each reproduced by a small server on 127.0.0.1: tolerated where nothing is
// lost, and each logged once with its RFC section. Also: the OIDC and RFC 8414 documents merged.

import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import {
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

let server: FixtureServer | undefined;
let mcp: InProcessServer | undefined;
afterEach(async () => {
  await mcp?.close();
  await server?.close();
  mcp = server = undefined;
});

function data(result: Awaited<ReturnType<InProcessServer['call']>>): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent as Record<string, any>;
}

const occurrences = (text: string, pattern: RegExp) =>
  text.split('\n').filter((line) => pattern.test(line)).length;

const FORM = 'application/x-www-form-urlencoded';

/** A plain OAuth server (RFC 8414 metadata only) whose token and registration endpoints deviate. */
async function deviatingServer(): Promise<FixtureServer> {
  return startFixtureServer((origin) => ({
    '/.well-known/oauth-authorization-server': {
      body: {
        issuer: origin,
        token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`,
        grant_types_supported: ['client_credentials'],
      },
    },
    'POST /token': (request) =>
      request.headers['content-type'] !== FORM
        ? { status: 415, body: 'Unsupported Media Type', headers: { 'content-type': 'text/plain' } }
        : { body: { access_token: `at-${Math.random()}`, token_type: 'bearer', expires_in: '3600' } },
    'POST /register': (request) => ({
      status: 200,
      body: {
        ...JSON.parse(request.body),
        client_id: `c-${Math.random()}`,
        client_secret: 'registered-secret-0123456789',
        client_secret_expires_at: 0,
      },
    }),
  }));
}

describe('tolerated deviations', () => {
  it('a form post refused for its charset parameter is sent again without it, and later ones go without at once', async () => {
    server = await deviatingServer();
    mcp = await startInProcess({
      providers: { odd: { issuer: server.origin, clientId: 'machine', clientSecret: 'machine-secret-0123' } },
    });
    for (let i = 0; i < 3; i++) data(await mcp.call('oauth_client_credentials', { force_new: true }));
    const tokenPosts = server.requests
      .filter((r) => r.path === '/token')
      .map((r) => r.headers['content-type']);
    expect(tokenPosts).toEqual([`${FORM};charset=UTF-8`, FORM, FORM, FORM]);
    expect(
      occurrences(
        mcp.logs(),
        /refused "application\/x-www-form-urlencoded;charset=UTF-8" \(RFC 6749 appendix B/,
      ),
    ).toBe(1);
  });

  it('expires_in as a string and a lower-case token_type are read as the RFC means them, logged once each', async () => {
    server = await deviatingServer();
    mcp = await startInProcess({
      providers: { odd: { issuer: server.origin, clientId: 'machine', clientSecret: 'machine-secret-0123' } },
    });
    const first = data(await mcp.call('oauth_client_credentials', { force_new: true }));
    data(await mcp.call('oauth_client_credentials', { force_new: true }));
    expect(first.session.token_type).toBe('Bearer');
    const expiresIn = (Date.parse(first.session.expires_at) - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(3500);
    expect(expiresIn).toBeLessThanOrEqual(3600);
    const logs = mcp.logs();
    expect(
      occurrences(logs, /sent expires_in as a string instead of a number \(RFC 6749 section 5\.1\)/),
    ).toBe(1);
    expect(occurrences(logs, /sent token_type "bearer" in lower case \(RFC 6750 section 6\.1\.1/)).toBe(1);
  });

  it('a registration answered 200 instead of 201 with a valid client body is accepted, logged once', async () => {
    server = await deviatingServer();
    // registering at an issuer the config does not name: on loopback only with allowPrivate
    mcp = await startInProcess({ network: { allowPrivate: true } });
    for (const name of ['m1', 'm2']) {
      const registered = data(
        await mcp.call('oauth_register_client', { issuer: server.origin, name, redirect_uris: [] }),
      );
      expect(registered).toMatchObject({
        provider: name,
        grant_types: ['client_credentials'],
        has_client_secret: true,
      });
    }
    expect(
      occurrences(
        mcp.logs(),
        /answered a client registration with 200 instead of 201 \(RFC 7591 section 3\.2\.1\)/,
      ),
    ).toBe(1);
    // the machine client works at once
    expect(data(await mcp.call('oauth_client_credentials', { provider: 'm1' })).session.grant).toBe(
      'client_credentials',
    );
  });

  it('an OAuth error with HTTP 400 is left alone: no retry without charset, no log', async () => {
    server = await startFixtureServer((origin) => ({
      '/.well-known/oauth-authorization-server': {
        body: { issuer: origin, token_endpoint: `${origin}/token` },
      },
      'POST /token': {
        status: 400,
        body: { error: 'invalid_client', error_description: 'unknown client; check content-type' },
      },
    }));
    mcp = await startInProcess({
      providers: { odd: { issuer: server.origin, clientId: 'machine', clientSecret: 'machine-secret-0123' } },
    });
    const result = await mcp.call('oauth_client_credentials', {});
    expect(result.isError).toBe(true);
    expect(server.requests.filter((r) => r.path === '/token')).toHaveLength(1);
    expect(mcp.logs()).not.toMatch(/tolerated/);
  });
});

describe('discovery merges the OIDC and RFC 8414 documents', () => {
  it('takes each endpoint from where it is published, the OIDC document winning conflicts, the config over both', async () => {
    server = await startFixtureServer((origin) => ({
      // like the server in issue 11: its OIDC document omits revocation, introspection and the device flow
      '/.well-known/openid-configuration': {
        body: {
          issuer: origin,
          authorization_endpoint: `${origin}/oidc/authorize`,
          token_endpoint: `${origin}/oidc/token`,
          userinfo_endpoint: `${origin}/userinfo`,
          jwks_uri: `${origin}/jwks`,
          scopes_supported: ['openid', 'offline_access'],
        },
      },
      '/.well-known/oauth-authorization-server': {
        body: {
          issuer: origin,
          authorization_endpoint: `${origin}/oauth/authorize`,
          token_endpoint: `${origin}/oauth/token`,
          revocation_endpoint: `${origin}/oauth/revoke`,
          introspection_endpoint: `${origin}/oauth/introspect`,
          scopes_supported: ['api'],
        },
      },
    }));
    mcp = await startInProcess({
      providers: {
        both: {
          issuer: server.origin,
          clientId: 'c',
          metadata: { device_authorization_endpoint: `${server.origin}/device-authorization/` },
        },
      },
    });
    const found = data(await mcp.call('oauth_discover', { provider: 'both' }));
    expect(found.source).toBe('openid-configuration');
    expect(found.documents).toEqual(['openid-configuration', 'oauth-authorization-server']);
    expect(found.metadata).toMatchObject({
      token_endpoint: `${server.origin}/oidc/token`,
      revocation_endpoint: `${server.origin}/oauth/revoke`,
      device_authorization_endpoint: `${server.origin}/device-authorization/`,
      scopes_supported: ['openid', 'offline_access'],
    });
    expect(found.endpoint_sources).toEqual({
      authorization_endpoint: 'openid-configuration',
      token_endpoint: 'openid-configuration',
      userinfo_endpoint: 'openid-configuration',
      jwks_uri: 'openid-configuration',
      revocation_endpoint: 'oauth-authorization-server',
      introspection_endpoint: 'oauth-authorization-server',
      device_authorization_endpoint: 'config',
    });
  });
});

describe('client authentication failures (RFC 6749 section 5.2)', () => {
  /** A server whose token, introspection and revocation endpoints all refuse the client with 401 Basic. */
  async function refusingServer(body: unknown): Promise<FixtureServer> {
    const refusal = { status: 401, headers: { 'www-authenticate': 'Basic realm="oauth"' }, body };
    return startFixtureServer((origin) => ({
      '/.well-known/oauth-authorization-server': {
        body: {
          issuer: origin,
          token_endpoint: `${origin}/token`,
          introspection_endpoint: `${origin}/introspect`,
          revocation_endpoint: `${origin}/revoke`,
        },
      },
      'POST /token': refusal,
      'POST /introspect': refusal,
      'POST /revoke': refusal,
    }));
  }
  const calls: [string, Record<string, unknown>][] = [
    ['oauth_client_credentials', {}],
    ['oauth_introspect_token', { token: 'some-opaque-token-0123456789' }],
    ['oauth_revoke_access', { token: 'some-opaque-token-0123456789' }],
  ];

  it.each([
    ['an error in the body', { error: 'invalid_client', error_description: 'client authentication failed' }],
    ['no body at all', ''],
  ])(
    'a 401 with a Basic challenge and %s is invalid_client at every endpoint, with what to check',
    async (_, body) => {
      server = await refusingServer(body);
      mcp = await startInProcess({
        providers: {
          odd: { issuer: server.origin, clientId: 'machine', clientSecret: 'machine-secret-0123' },
        },
      });
      for (const [tool, args] of calls) {
        const error = toolError(await mcp.call(tool, args));
        expect(error).toMatchObject({ code: 'oauth_error', oauth_error: 'invalid_client' });
        expect(error.message).toMatch(/RFC 6749 section 5\.2\)\. Check the client id and secret/);
        expect(error.message).toMatch(/tokenEndpointAuthMethod .* form-encoding/);
        expect(error.message).not.toMatch(/access token|sign-in|redacted/);
      }
    },
  );
});

describe('a server that does not decode the Basic credentials (RFC 6749 section 2.3.1)', () => {
  let as: HostileAuthorizationServer | undefined;
  afterEach(async () => {
    await as?.close();
    as = undefined;
  });

  it('says the ID token audience is the form-encoded client id, and that client_secret_post avoids it', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    as = await startHostileAuthorizationServer(
      {
        device: () => ({
          body: {
            device_code: 'device-code-0123456789',
            user_code: 'ABCD-EFGH',
            verification_uri: `${as?.issuer}/activate`,
            expires_in: 600,
            interval: 1,
          },
        }),
        token: async ({ seen }) => {
          const basic = Buffer.from(seen.authorization?.replace(/^Basic /, '') ?? '', 'base64').toString();
          // the server takes the client id as it arrived, without form-decoding it
          const clientId = basic.slice(0, basic.indexOf(':'));
          const idToken = await new SignJWT({})
            .setProtectedHeader({ alg: 'RS256' })
            .setIssuer(as?.issuer ?? '')
            .setSubject('user-1')
            .setAudience(clientId)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey);
          return {
            body: { access_token: 'at-0123456789', token_type: 'Bearer', expires_in: 600, id_token: idToken },
          };
        },
      },
      { scopes_supported: ['openid'] },
    );
    mcp = await startInProcess({
      providers: {
        probe: {
          issuer: as.issuer,
          clientId: 'probe-conf',
          clientSecret: 'probe-secret-0123',
          scopes: ['openid'],
        },
      },
    });
    const started = await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 });
    const flowId = started.structuredContent.flow_id as string;
    const error = toolError(await mcp.call('oauth_authenticate_user', { flow_id: flowId, wait_seconds: 10 }));
    expect(error.message).toMatch(
      /audience is the client id form-encoded, as client_secret_basic sends it \("probe%2Dconf" instead of "probe-conf", RFC 6749 section 2\.3\.1\)/,
    );
    expect(error.message).toMatch(/"tokenEndpointAuthMethod": "client_secret_post"/);
    expect(await mcp.runtime.engine.ctx.vault.listSessions({ provider: 'probe' })).toEqual([]);
  });
});
