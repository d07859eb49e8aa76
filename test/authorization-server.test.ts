import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEMO_RESOURCE } from '../src/demo/authorization-server.js';
import { useAuthorizationServer } from './helpers/authorization-server.js';
import { approveDevice, signIn } from './helpers/user-agent.js';

const JWT_API = 'http://127.0.0.1/jwt-api';
const as = useAuthorizationServer({
  resourceServers: { [JWT_API]: { scope: 'jwt:read', accessTokenFormat: 'jwt' } },
});
// oidc-provider prints "you SHOULD change" notices with console.info, i.e. on stdout (the MCP stdio stream)
const stdout = [vi.spyOn(console, 'info'), vi.spyOn(console, 'log')];
afterAll(() => {
  for (const spy of stdout) expect(spy).not.toHaveBeenCalled();
});
const insecure = { execute: [oidc.allowInsecureRequests] };
const loopbackCallback = () => `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;

const confidential = () => {
  const { clientId, clientSecret } = as().clients.confidential;
  return oidc.discovery(
    new URL(as.issuer),
    clientId,
    clientSecret,
    oidc.ClientSecretBasic(clientSecret),
    insecure,
  );
};
const publicClient = () =>
  oidc.discovery(new URL(as.issuer), as().clients.public.clientId, undefined, oidc.None(), insecure);

/** Runs authorization code + PKCE through the headless user agent and redeems the code. */
async function codeFlow(config: oidc.Configuration, scope = 'openid profile email offline_access') {
  const redirectUri = loopbackCallback();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    prompt: 'consent',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const { finalUrl } = await signIn(url.href, { login: 'alice' });
  expect(finalUrl.startsWith(redirectUri)).toBe(true);
  return oidc.authorizationCodeGrant(config, new URL(finalUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}

describe('demo authorization server', () => {
  it('publishes discovery metadata for its loopback issuer', async () => {
    const config = await publicClient();
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.device_authorization_endpoint).toBeDefined();
    expect(metadata.registration_endpoint).toBeDefined();
    expect(metadata.introspection_endpoint).toBeDefined();
  });

  it('issues client credentials tokens with client_secret_basic and client_secret_post', async () => {
    const basic = await confidential();
    const { clientId, clientSecret } = as().clients.confidentialPost;
    const post = await oidc.discovery(
      new URL(as.issuer),
      clientId,
      clientSecret,
      oidc.ClientSecretPost(clientSecret),
      insecure,
    );
    for (const config of [basic, post]) {
      const tokens = await oidc.clientCredentialsGrant(config, {
        scope: 'api:read',
        resource: DEMO_RESOURCE,
      });
      expect(tokens.scope).toBe('api:read');
      const introspection = await oidc.tokenIntrospection(basic, tokens.access_token);
      expect(introspection).toMatchObject({
        active: true,
        aud: DEMO_RESOURCE,
        client_id: config.clientMetadata().client_id,
      });
    }
  });

  it('completes a code flow with PKCE for the public client on any loopback port', async () => {
    const config = await publicClient();
    const tokens = await codeFlow(config);
    expect(tokens.claims()?.sub).toBe('alice');
    expect(tokens.refresh_token).toBeDefined();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).toMatchObject({ email: 'alice@example.test', email_verified: true, name: 'Alice' });
  });

  it('completes a code flow with PKCE for the confidential client on any loopback port', async () => {
    const tokens = await codeFlow(await confidential());
    expect(tokens.claims()?.sub).toBe('alice');
    expect(tokens.refresh_token).toBeDefined();
  });

  it('drops offline_access (no refresh token) unless the request also has prompt=consent', async () => {
    const config = await publicClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: loopbackCallback(),
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const { finalUrl } = await signIn(url.href, { login: 'alice' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(finalUrl), {
      pkceCodeVerifier: verifier,
      expectedState: oidc.skipStateCheck,
    });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('openid');
  });

  it('issues a token for a requested resource', async () => {
    const config = await publicClient();
    const redirectUri = loopbackCallback();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid api:read',
      resource: DEMO_RESOURCE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const { finalUrl } = await signIn(url.href, { login: 'bob' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(finalUrl), {
      pkceCodeVerifier: verifier,
      expectedState: oidc.skipStateCheck,
    });
    expect(tokens.scope).toBe('api:read');
    const introspection = await oidc.tokenIntrospection(await confidential(), tokens.access_token);
    expect(introspection).toMatchObject({ active: true, aud: DEMO_RESOURCE, sub: 'bob' });
  });

  it('returns access_denied when the user declines consent', async () => {
    const config = await publicClient();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: loopbackCallback(),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const { finalUrl } = await signIn(url.href, { login: 'alice', consent: false });
    expect(new URL(finalUrl).searchParams.get('error')).toBe('access_denied');
  });

  it('refuses a redirect URI that is not a registered loopback URI', async () => {
    const config = await publicClient();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://attacker.example/callback',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await expect(signIn(url.href, { login: 'alice' })).rejects.toThrow(/redirect_uri/);
  });

  it('requests the callback when asked to', async () => {
    const callback = createServer((req, res) =>
      res.end(`got ${new URL(req.url ?? '/', 'http://x').searchParams.has('code')}`),
    );
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    try {
      const config = await publicClient();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const result = await signIn(url.href, { login: 'alice', followCallback: true });
      expect(result).toMatchObject({ status: 200, body: 'got true' });
    } finally {
      callback.close();
    }
  });

  it('completes a device flow approved by the user', async () => {
    const config = await publicClient();
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    expect(device.interval).toBe(1);
    const approval = approveDevice(device.verification_uri_complete ?? '', { login: 'carol' });
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
    await approval;
    expect(tokens.claims()?.sub).toBe('carol');
    expect(tokens.refresh_token).toBeDefined();
  });

  it('reports access_denied when the user aborts a device flow', async () => {
    const config = await confidential();
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    await approveDevice(device.verification_uri_complete ?? '', { login: 'carol', approve: false });
    await expect(oidc.pollDeviceAuthorizationGrant(config, device)).rejects.toMatchObject({
      error: 'access_denied',
    });
  });

  it('rotates refresh tokens and rejects the old one', async () => {
    const config = await publicClient();
    const first = await codeFlow(config);
    as().resetCounts();
    const second = await oidc.refreshTokenGrant(config, first.refresh_token ?? '');
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(as().counts()).toEqual({ 'POST /token': 1, 'grant:refresh_token': 1 });
    await expect(oidc.refreshTokenGrant(config, first.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('answers an injected failure once', async () => {
    const config = await confidential();
    as().failNext('POST /token', { status: 500, body: '{"error":"server_error"}' });
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ cause: { status: 500 } });
    await expect(oidc.clientCredentialsGrant(config)).resolves.toMatchObject({ token_type: 'bearer' });
  });

  it('mints opaque and JWT access tokens directly', async () => {
    const server = as();
    const opaque = await server.issueAccessToken({
      accountId: 'dave',
      clientId: 'demo-public',
      scope: 'api:read',
      resource: DEMO_RESOURCE,
    });
    expect(await oidc.tokenIntrospection(await confidential(), opaque)).toMatchObject({
      active: true,
      sub: 'dave',
      aud: DEMO_RESOURCE,
      scope: 'api:read',
    });
    const jwt = await server.issueAccessToken({
      accountId: 'dave',
      clientId: 'demo-public',
      scope: 'jwt:read',
      resource: JWT_API,
    });
    const [header, payload] = jwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).toMatchObject({
      iss: server.issuer,
      sub: 'dave',
      aud: JWT_API,
      scope: 'jwt:read',
      client_id: 'demo-public',
    });
  });

  it('revokes a refresh token, after which it cannot be used', async () => {
    const config = await confidential();
    const tokens = await codeFlow(config);
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '', { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('registers, reads, updates (rotating the registration token) and deletes a client', async () => {
    const json = { 'content-type': 'application/json' };
    const registered = await fetch(`${as.issuer}/reg`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        redirect_uris: ['http://127.0.0.1/cb'],
        application_type: 'native',
        client_name: 'one',
      }),
    });
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as Record<string, string>;
    const uri = client.registration_client_uri ?? '';
    const auth = (token?: string) => ({ ...json, authorization: `Bearer ${token}` });
    expect((await fetch(uri, { headers: auth(client.registration_access_token) })).status).toBe(200);

    // RFC 7592 section 2.2: these four fields must not be sent back on update
    const metadata = Object.fromEntries(
      Object.entries(client).filter(
        ([key]) =>
          ![
            'registration_access_token',
            'registration_client_uri',
            'client_secret_expires_at',
            'client_id_issued_at',
          ].includes(key),
      ),
    );
    const updated = await fetch(uri, {
      method: 'PUT',
      headers: auth(client.registration_access_token),
      body: JSON.stringify({ ...metadata, client_name: 'two' }),
    });
    expect(updated.status).toBe(200);
    const after = (await updated.json()) as Record<string, string>;
    expect(after.client_name).toBe('two');
    expect(after.registration_access_token).not.toBe(client.registration_access_token);
    expect((await fetch(uri, { headers: auth(client.registration_access_token) })).status).toBe(401);

    const deleted = await fetch(uri, { method: 'DELETE', headers: auth(after.registration_access_token) });
    expect(deleted.status).toBe(204);
  });

  it('holds requests to a delayed path until faults are cleared', async () => {
    const server = as();
    server.delay('/jwks', 300);
    const started = Date.now();
    await fetch(`${server.issuer}/jwks`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    server.clearFaults();
    const again = Date.now();
    await fetch(`${server.issuer}/jwks`);
    expect(Date.now() - again).toBeLessThan(290);
  });
});

describe('demo authorization server with short device codes', () => {
  const short = useAuthorizationServer({ ttl: { deviceCode: 1 } });

  it('reports expired_token when nobody approves the device in time', async () => {
    const config = await oidc.discovery(
      new URL(short.issuer),
      short().clients.public.clientId,
      undefined,
      oidc.None(),
      insecure,
    );
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    expect(device.expires_in).toBe(1);
    // openid-client stops polling by itself when expires_in passes (OAUTH_TIMEOUT), so ask the AS directly
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await expect(
      oidc.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:device_code', {
        device_code: device.device_code,
      }),
    ).rejects.toMatchObject({ error: 'expired_token' });
  });
});
