// DPoP (RFC 9449) end to end and private_key_jwt (RFC 7523) against the real oidc-provider, which here
// demands DPoP nonces; the API is a loopback server that verifies every proof and refuses a replayed one.

import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { approveDevice, signIn } from '../helpers/user-agent.js';
import { type DPoPApi, startDPoPApi } from './dpop-api.js';

const RESOURCE = 'http://127.0.0.1/dpop-api';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecPrivateJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec-1' };
const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const machine = (clientId: string, key: object) => ({
  client_id: clientId,
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [key] },
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api:read',
});

const as = useAuthorizationServer({
  dpopNonce: true,
  resourceServers: { [RESOURCE]: { scope: 'api:read', accessTokenFormat: 'jwt' } },
  clients: [
    machine('pkjwt-ec', { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' }),
    machine('pkjwt-rsa', rsa.publicKey.export({ format: 'jwk' })),
  ],
});

describe('DPoP and private_key_jwt', () => {
  let api: DPoPApi;
  let store: MemoryStore;
  let server: InProcessServer;
  const stored = async (id: string) => (await new Vault(store).getSession(id)) as StoredSession;
  const jktOf = ({ d: _d, ...publicJwk }: NonNullable<StoredSession['dpop_key']>) =>
    calculateJwkThumbprint(publicJwk);

  beforeAll(async () => {
    api = await startDPoPApi(as.issuer, RESOURCE);
    store = new MemoryStore();
    const keyClient = (clientId: string, clientPrivateKey: string) => ({
      issuer: as.issuer,
      clientId,
      tokenEndpointAuthMethod: 'private_key_jwt',
      clientPrivateKey,
      scopes: ['api:read'],
      resource: RESOURCE,
    });
    server = await startInProcess(
      {
        providers: {
          dp: { ...keyClient('pkjwt-ec', JSON.stringify(ecPrivateJwk)), dpop: true },
          pem: keyClient('pkjwt-rsa', rsaPem),
          wrongkey: keyClient(
            'pkjwt-rsa',
            stranger.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          ),
          user: {
            issuer: as.issuer,
            ...as().clients.public,
            scopes: ['openid', 'offline_access', 'api:read'],
            resource: RESOURCE,
            dpop: true,
          },
        },
        api: { allowedOrigins: [api.origin] },
      },
      { store },
    );
  });
  afterAll(async () => {
    await server.close();
    await api.close();
    await store.close();
  });

  it('client credentials with a private JWK and dpop: a DPoP-bound token, its key kept and never shown', async () => {
    const result = await server.call('oauth_client_credentials', { provider: 'dp' });
    expect(result.structuredContent?.session).toMatchObject({
      token_type: 'DPoP',
      grant: 'client_credentials',
    });
    const session = await stored(result.structuredContent?.session.session_id);
    expect(session.dpop_key?.d).toBeTruthy();
    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({ client_id: 'pkjwt-ec', aud: RESOURCE });
    expect((claims.cnf as { jkt: string }).jkt).toBe(await jktOf(session.dpop_key!));
    const listed = await server.call('oauth_list_sessions', {});
    expect(JSON.stringify([result, listed])).not.toContain(session.dpop_key!.d);
  });

  it('oauth_call_api sends a fresh proof (with ath and the API nonce); a replayed proof is refused', async () => {
    api.requests.length = 0;
    const result = await server.call('oauth_call_api', { provider: 'dp', url: `${api.origin}/data` });
    expect(result.structuredContent).toMatchObject({ status: 200, json: { client_id: 'pkjwt-ec' } });
    // first without the API's nonce (refused with use_dpop_nonce), then with it
    expect(api.requests.map((r) => [r.status, r.reason])).toEqual([
      [401, 'nonce'],
      [200, undefined],
    ]);
    // the nonce is remembered: the next call needs one request
    await server.call('oauth_call_api', { provider: 'dp', url: `${api.origin}/data` });
    expect(api.requests.slice(2).map((r) => r.status)).toEqual([200]);
    const [first, second] = api.requests;
    expect(first?.dpop).not.toBe(second?.dpop);
    expect(second?.authorization).toMatch(/^DPoP /);

    const replayed = await fetch(`${api.origin}/data`, {
      headers: { authorization: second?.authorization ?? '', dpop: second?.dpop ?? '' },
    });
    expect(replayed.status).toBe(401);
    expect(api.requests.at(-1)?.reason).toBe('replayed jti');
    const asBearer = await fetch(`${api.origin}/data`, {
      headers: { authorization: `Bearer ${second?.authorization?.slice(5)}` },
    });
    expect(asBearer.status).toBe(401);
  });

  it('a code-flow sign-in is DPoP-bound, and its refresh keeps the binding', async () => {
    const started = await server.call('oauth_authenticate_user', { provider: 'user', wait_seconds: 0 });
    await signIn(started.structuredContent?.authorization_url, { login: 'alice', followCallback: true });
    const done = await server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent?.flow_id,
      wait_seconds: 5,
    });
    expect(done.structuredContent).toMatchObject({
      status: 'authenticated',
      session: { token_type: 'DPoP', has_refresh_token: true },
    });
    const before = await stored(done.structuredContent?.session.session_id);
    const jkt = await jktOf(before.dpop_key!);
    expect((decodeJwt(before.access_token).cnf as { jkt: string }).jkt).toBe(jkt);
    // the authorization code itself was bound to that key (RFC 9449 10)
    expect(new URL(started.structuredContent?.authorization_url).searchParams.get('dpop_jkt')).toBe(jkt);

    const refreshed = await server.call('oauth_refresh_token', { session_id: before.session_id });
    expect(refreshed.structuredContent).toMatchObject({
      outcome: 'refreshed',
      session: { token_type: 'DPoP' },
    });
    const after = await stored(before.session_id);
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.dpop_key).toEqual(before.dpop_key);
    expect((decodeJwt(after.access_token).cnf as { jkt: string }).jkt).toBe(jkt);

    const call = await server.call('oauth_call_api', {
      session_id: before.session_id,
      url: `${api.origin}/me`,
    });
    expect(call.structuredContent).toMatchObject({ status: 200, json: { sub: 'alice', jkt } });
  });

  it('a device-flow sign-in is DPoP-bound', async () => {
    const started = await server.call('oauth_authenticate_user', {
      provider: 'user',
      flow: 'device_code',
      wait_seconds: 0,
    });
    await approveDevice(started.structuredContent?.verification_uri_complete, { login: 'bob' });
    const done = await server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent?.flow_id,
      wait_seconds: 10,
    });
    expect(done.structuredContent).toMatchObject({
      status: 'authenticated',
      session: { token_type: 'DPoP' },
    });
    const session = await stored(done.structuredContent?.session.session_id);
    expect((decodeJwt(session.access_token).cnf as { jkt: string }).jkt).toBe(await jktOf(session.dpop_key!));
  });

  it('private_key_jwt with a PKCS#8 PEM gets a machine token; a key the AS does not know is refused', async () => {
    const result = await server.call('oauth_client_credentials', { provider: 'pem' });
    expect(result.structuredContent?.session).toMatchObject({ token_type: 'Bearer' });
    expect(
      decodeJwt((await stored(result.structuredContent?.session.session_id)).access_token),
    ).toMatchObject({
      client_id: 'pkjwt-rsa',
    });

    const refused = await server.call('oauth_client_credentials', { provider: 'wrongkey' });
    expect(toolError(refused)).toMatchObject({ code: 'oauth_error', oauth_error: 'invalid_client' });
    expect(JSON.stringify(refused)).not.toContain('PRIVATE KEY');
  });
});
