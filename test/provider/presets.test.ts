// Presets against recorded copies of what each server publishes (test/fixtures/providers: the discovery
// documents of Google, a Microsoft Entra tenant, a Keycloak realm, an Okta and an Auth0 tenant; GitHub's
// endpoints from its OAuth app documentation). Each document is served from 127.0.0.1 with its hosts
// moved under the test server, and the preset pointed there with `issuer`: no live network.

import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionFromTokens } from '../../src/auth/sessions/sessions.js';
import { parseConfig } from '../../src/config/index.js';
import { type FixtureServer, type Routes, startFixtureServer } from '../helpers/fixture-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';

const recorded = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/providers/${name}.json`, import.meta.url), 'utf8'));

/** Every https host of a document moved under the test server: https://host/path -> <origin>/host/path. */
const rehome = (document: unknown, origin: string) =>
  JSON.parse(JSON.stringify(document).replace(/https:\/\/([a-z0-9.-]+)/g, `${origin}/$1`));

const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

let fixture: FixtureServer | undefined;
let mcp: InProcessServer | undefined;
afterEach(async () => {
  await mcp?.close();
  await fixture?.close();
  mcp = fixture = undefined;
});

function data(result: Awaited<ReturnType<InProcessServer['call']>>): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent as Record<string, any>;
}

const derived = (provider: Record<string, unknown>) =>
  parseConfig({ providers: { p: { clientId: 'client-1', ...provider } } }, {}).providers.p;

/** Serves the rehomed document at its issuer's well-known path, plus `routes`; starts oauth-mcp on it. */
async function serve(
  name: string,
  provider: Record<string, unknown>,
  routes: (doc: any) => Routes = () => ({}),
) {
  let document: any;
  fixture = await startFixtureServer((origin) => {
    document = rehome(recorded(name), origin);
    const path = new URL(document.issuer).pathname.replace(/\/$/, '');
    return { [`${path}/.well-known/openid-configuration`]: { body: document }, ...routes(document) };
  });
  mcp = await startInProcess({
    providers: { p: { clientId: 'client-1', ...provider, issuer: document.issuer } },
    defaultProvider: 'p',
  });
  return document;
}

async function authorizationQuery(): Promise<URLSearchParams> {
  const started = data(await mcp!.call('oauth_authenticate_user', { wait_seconds: 0 }));
  return new URL(started.authorization_url).searchParams;
}

describe('presets derive the issuer each server publishes', () => {
  it.each([
    ['google', {}, 'google'],
    ['microsoft-entra', { tenant: TENANT }, 'microsoft-entra'],
    ['keycloak', { domain: 'sso.example.com', realm: 'demo' }, 'keycloak'],
    ['okta', { domain: 'dev-000000.okta.com' }, 'okta'],
    ['auth0', { domain: 'dev-example.us.auth0.com' }, 'auth0'],
    ['github', {}, 'github'],
  ])('%s', (preset, fields, name) => {
    expect(derived({ preset, ...fields })?.issuer).toBe(recorded(name).issuer);
  });

  it('github: no discovery, and the endpoints of its documentation', () => {
    const github = derived({ preset: 'github', clientSecret: 'gh-secret' });
    const { issuer: _issuer, ...endpoints } = recorded('github');
    expect(github).toMatchObject({
      discovery: false,
      metadata: endpoints,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
  });

  it('names the missing field of a preset', () => {
    expect(() => derived({ preset: 'keycloak', domain: 'sso.example.com' })).toThrow(
      /providers\.p\.realm: is required by preset "keycloak"/,
    );
    expect(() => derived({ preset: 'microsoft-entra' })).toThrow(/providers\.p\.tenant/);
  });
});

describe('presets against their recorded metadata', () => {
  it('google: the recorded endpoints; access_type=offline and prompt=consent; no offline_access scope', async () => {
    const document = await serve('google', { preset: 'google' });
    const found = data(await mcp!.call('oauth_discover', {}));
    expect(found).toMatchObject({ source: 'openid-configuration', metadata: document });
    const query = await authorizationQuery();
    expect(query.get('access_type')).toBe('offline');
    expect(query.get('prompt')).toBe('consent');
    // Google lists no offline_access scope: refresh tokens come from access_type=offline
    expect(query.get('scope')).toBe('openid email profile');
  });

  it('microsoft-entra: the tenant document; .default scope for the API, also in client credentials', async () => {
    let tokenRequest = '';
    const document = await serve(
      'microsoft-entra',
      { preset: 'microsoft-entra', tenant: TENANT, audience: 'api://orders', clientSecret: 'entra-secret' },
      (doc) => ({
        [`POST ${new URL(doc.token_endpoint).pathname}`]: (request) => {
          tokenRequest = request.body;
          return { body: { access_token: 'entra-at', token_type: 'Bearer', expires_in: 3599 } };
        },
      }),
    );
    expect(data(await mcp!.call('oauth_discover', {})).metadata).toEqual(document);
    const query = await authorizationQuery();
    expect(query.get('scope')).toBe('openid profile offline_access api://orders/.default');
    await mcp!.call('oauth_client_credentials', {});
    expect(new URLSearchParams(tokenRequest).get('scope')).toBe('api://orders/.default');
    expect(mcp!.runtime.config.providers.p?.jwtTypes).toEqual(['JWT']);
  });

  it('microsoft-entra: a refresh sends the scope the sign-in asked for (RFC 6749 section 6), as Entra needs', async () => {
    let refreshRequest = new URLSearchParams();
    const document = await serve(
      'microsoft-entra',
      { preset: 'microsoft-entra', tenant: TENANT, audience: 'api://orders', clientSecret: 'entra-secret' },
      (doc) => ({
        [`POST ${new URL(doc.token_endpoint).pathname}`]: (request) => {
          refreshRequest = new URLSearchParams(request.body);
          return {
            body: {
              access_token: 'entra-at-2',
              token_type: 'Bearer',
              expires_in: 3599,
              scope: 'api://orders/orders.read',
            },
          };
        },
      }),
    );
    const requested = 'openid profile offline_access api://orders/.default';
    const session = sessionFromTokens({
      provider: 'p',
      issuer: document.issuer,
      clientId: 'client-1',
      grant: 'authorization_code',
      requestedScope: requested,
      resource: undefined,
      // Entra echoes the API's scopes, not openid or offline_access
      tokens: {
        access_token: 'entra-at-1',
        refresh_token: 'entra-rt-1',
        token_type: 'Bearer',
        expires_in: 3599,
        scope: 'api://orders/orders.read',
      } as never,
    });
    await mcp!.runtime.engine.ctx.vault.putSession(session);
    data(await mcp!.call('oauth_refresh_token', { session_id: session.session_id }));
    expect(refreshRequest.get('grant_type')).toBe('refresh_token');
    expect(refreshRequest.get('scope')).toBe(requested);
  });

  it('microsoft-entra: an access token with typ JWT passes the local check against the JWKS (no introspection endpoint)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const document = await serve('microsoft-entra', { preset: 'microsoft-entra', tenant: TENANT }, (doc) => ({
      [new URL(doc.jwks_uri).pathname]: { body: { keys: [jwk] } },
    }));
    const token = await new SignJWT({ scp: 'orders.read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(document.issuer)
      .setSubject('user-1')
      .setAudience('api://orders')
      .setExpirationTime('5m')
      .sign(privateKey);
    const checked = data(await mcp!.call('oauth_introspect_token', { token }));
    expect(checked).toMatchObject({ active: true, method: 'local_jwt', sub: 'user-1' });
  });

  it('keycloak: the realm document; offline_access requested; typ JWT access tokens accepted', async () => {
    const document = await serve('keycloak', { preset: 'keycloak', domain: 'unused', realm: 'demo' });
    expect(data(await mcp!.call('oauth_discover', {})).metadata).toEqual(document);
    expect((await authorizationQuery()).get('scope')).toBe('openid profile email offline_access');
    expect(mcp!.runtime.config.providers.p?.jwtTypes).toEqual(['at+jwt', 'JWT']);
  });

  it('okta: the default authorization server document, device flow and introspection included', async () => {
    const document = await serve('okta', { preset: 'okta', domain: 'unused' });
    const found = data(await mcp!.call('oauth_discover', {}));
    expect(found.metadata).toEqual(document);
    expect(found.endpoint_sources.device_authorization_endpoint).toBe('openid-configuration');
    expect((await authorizationQuery()).get('scope')).toBe('openid profile email offline_access');
  });

  it('auth0: audience on the authorization request and on client credentials', async () => {
    let tokenRequest = '';
    const document = await serve(
      'auth0',
      {
        preset: 'auth0',
        domain: 'unused',
        audience: 'https://api.example.com',
        clientSecret: 'auth0-secret',
      },
      (doc) => ({
        [`POST ${new URL(doc.token_endpoint).pathname}`]: (request) => {
          tokenRequest = request.body;
          return { body: { access_token: 'auth0-at', token_type: 'Bearer', expires_in: 86400 } };
        },
      }),
    );
    expect(data(await mcp!.call('oauth_discover', {})).metadata).toEqual(document);
    const query = await authorizationQuery();
    expect(query.get('audience')).toBe('https://api.example.com');
    expect(query.get('scope')).toBe('openid profile email offline_access');
    await mcp!.call('oauth_client_credentials', {});
    expect(new URLSearchParams(tokenRequest).get('audience')).toBe('https://api.example.com');
  });
});

describe('github preset (GitHub Enterprise Server at its own issuer, same paths)', () => {
  it('signs in with the device flow: JSON asked for, errors answered with 200 tolerated, no discovery', async () => {
    let polls = 0;
    fixture = await startFixtureServer((origin) => ({
      'POST /login/device/code': {
        body: {
          device_code: 'dc-1',
          user_code: 'WDJB-MJHT',
          verification_uri: `${origin}/login/device`,
          expires_in: 900,
          interval: 1,
        },
      },
      // GitHub answers pending polls with 200 and an error body, and a lower-case token_type
      'POST /login/oauth/access_token': () =>
        ++polls < 2
          ? { body: { error: 'authorization_pending', error_description: 'pending' } }
          : { body: { access_token: 'gho_abc', token_type: 'bearer', scope: 'repo,gist' } },
    }));
    mcp = await startInProcess({
      providers: { gh: { preset: 'github', issuer: fixture.origin, clientId: 'Iv1.abc' } },
    });
    const started = data(await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 }));
    expect(started).toMatchObject({
      user_code: 'WDJB-MJHT',
      verification_uri: `${fixture.origin}/login/device`,
    });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 10 }),
    );
    expect(done).toMatchObject({
      status: 'authenticated',
      session: { grant: 'device_code', token_type: 'Bearer' },
    });
    expect(polls).toBe(2);
    expect(fixture.requests.filter((r) => r.path.includes('.well-known'))).toEqual([]);
    for (const request of fixture.requests) expect(request.headers.accept).toContain('application/json');
    expect(mcp.logs()).toMatch(
      /answered error "authorization_pending" with 200 instead of 400 \(RFC 6749 section 5\.2\)/,
    );
  });
});

describe('extra parameters and the scope separator of any provider', () => {
  it('sends authorizationParams and tokenParams, joins scopes with commas, and reads a comma scope back', async () => {
    let tokenRequest = '';
    fixture = await startFixtureServer((origin) => ({
      '/.well-known/oauth-authorization-server': {
        body: {
          issuer: origin,
          authorization_endpoint: `${origin}/authorize`,
          token_endpoint: `${origin}/token`,
        },
      },
      'POST /token': (request) => {
        tokenRequest = request.body;
        return { body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 60, scope: 'read,write' } };
      },
    }));
    mcp = await startInProcess({
      providers: {
        p: {
          issuer: fixture.origin,
          clientId: 'c',
          clientSecret: 'c-secret-0123',
          scopes: ['read', 'write'],
          scopeSeparator: ',',
          authorizationParams: { acr_values: 'urn:mace:incommon:iap:silver', ui_locales: 'de' },
          tokenParams: { audience: 'https://api.example.com' },
        },
      },
    });
    const query = await authorizationQuery();
    expect(query.get('scope')).toBe('read,write');
    expect(query.get('acr_values')).toBe('urn:mace:incommon:iap:silver');
    expect(query.get('ui_locales')).toBe('de');
    const token = data(await mcp.call('oauth_client_credentials', {}));
    const sent = new URLSearchParams(tokenRequest);
    expect(sent.get('scope')).toBe('read,write');
    expect(sent.get('audience')).toBe('https://api.example.com');
    expect(token.session.scope).toBe('read write');
  });

  it('refuses extra parameters that oauth-mcp sets itself, naming the field', () => {
    expect(() => derived({ issuer: 'https://a.example.com', authorizationParams: { state: 'x' } })).toThrow(
      /providers\.p\.authorizationParams\.state/,
    );
    expect(() => derived({ issuer: 'https://a.example.com', discovery: false })).toThrow(
      /providers\.p\.metadata: with "discovery": false, give the endpoints/,
    );
  });
});

describe('onBehalfOf: true', () => {
  const onBehalfOf = (settings: Record<string, unknown>) =>
    parseConfig({ providers: { p: { clientId: 'c', onBehalfOf: true, ...settings } } }).providers.p
      ?.onBehalfOf;

  it("means Entra's JWT bearer on-behalf-of grant with the microsoft-entra preset", () => {
    expect(onBehalfOf({ preset: 'microsoft-entra', tenant: TENANT })).toBe('jwt-bearer');
  });

  it('means RFC 8693 token exchange without a preset or with one that has no variant of its own', () => {
    expect(onBehalfOf({ issuer: 'https://auth.example.com' })).toBe('exchange');
    expect(onBehalfOf({ preset: 'okta', domain: 'example.okta.com' })).toBe('exchange');
  });

  it('keeps an explicit choice over the preset', () => {
    expect(onBehalfOf({ preset: 'microsoft-entra', tenant: TENANT, onBehalfOf: 'exchange' })).toBe(
      'exchange',
    );
  });
});
