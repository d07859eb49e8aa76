// RFC 7591 registration and RFC 7592 management through the built binary over stdio (v2 client), against
// the real oidc-provider (registration management with token rotation): registered clients are usable at once.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess, type ToolResult } from '../helpers/mcp-server-process.js';
import { signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer();
const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-registration-'));
let server: ServerProcess;
/** A second process on the same file store with exposeTokens, to see the secrets the first one hides. */
let exposed: ServerProcess;

const config = (exposeTokens: boolean) => ({
  providers: { demo: { issuer: as.issuer } },
  defaultProvider: 'demo',
  exposeTokens,
  // The registration-errors server below is on a loopback port this config does not name.
  network: { allowPrivate: true },
});
const data = (result: ToolResult) => {
  if (result.isError) throw new Error(`tool failed: ${result.content[0]?.text}`);
  return result.structuredContent as Record<string, unknown>;
};
const failure = (result: ToolResult) => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: Record<string, string> }).error;
};

beforeAll(async () => {
  server = await startServerProcess({ dir, config: config(false) });
  exposed = await startServerProcess({
    dir: mkdtempSync(join(dir, 'exposed-')),
    config: { ...config(true), store: { type: 'file', path: join(dir, 'tokens.json') } },
  });
});

afterAll(async () => {
  await server?.close();
  await exposed?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('oauth_register_client (RFC 7591)', () => {
  it('registers a public native client with the loopback redirect and signs a user in with it', async () => {
    const client = data(
      await server.call('oauth_register_client', {
        client_name: 'Notes App',
        scope: 'openid profile offline_access',
      }),
    );
    expect(client).toMatchObject({
      provider: 'notes-app',
      issuer: as.issuer,
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      has_client_secret: false,
      manageable: true,
    });
    expect(client).not.toHaveProperty('registration_access_token');
    expect(client.secrets_stored_in).toContain('file store');

    // The user says "sign me in with it": the code flow on an ephemeral loopback port, PKCE S256.
    const started = data(
      await server.call('oauth_authenticate_user', {
        provider: 'notes-app',
        scopes: ['openid', 'profile'],
        wait_seconds: 0,
      }),
    );
    const authorizationUrl = new URL(started.authorization_url as string);
    expect(authorizationUrl.searchParams.get('client_id')).toBe(client.client_id);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    await signIn(authorizationUrl.href, { login: 'alice', followCallback: true });
    const done = data(
      await server.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 10 }),
    );
    expect(done).toMatchObject({
      status: 'authenticated',
      session: { provider: 'notes-app', subject: 'alice' },
    });
  });

  it('registers a confidential client whose profile gets a client-credentials token at once', async () => {
    const client = data(
      await server.call('oauth_register_client', {
        issuer: as.issuer,
        name: 'machine',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read',
      }),
    );
    expect(client).toMatchObject({ provider: 'machine', has_client_secret: true, redirect_uris: [] });
    expect(client).not.toHaveProperty('client_secret');
    expect(client.client_secret_sha256).toMatch(/^[0-9a-f]{16}$/);

    const token = data(
      await server.call('oauth_client_credentials', {
        provider: 'machine',
        scopes: ['api:read'],
        resource: DEMO_RESOURCE,
      }),
    );
    expect(token.session).toMatchObject({
      provider: 'machine',
      grant: 'client_credentials',
      scope: 'api:read',
    });
  });

  it('shows the client secret and registration access token only with exposeTokens, and never logs them', async () => {
    const client = data(await exposed.call('oauth_get_client', { provider: 'machine' }));
    expect(client.client_secret).toEqual(expect.any(String));
    expect(client.registration_access_token).toEqual(expect.any(String));
    expect(client).not.toHaveProperty('secrets_stored_in');
    for (const process of [server, exposed]) {
      expect(process.stderr()).not.toContain(client.client_secret);
      expect(process.stderr()).not.toContain(client.registration_access_token);
    }
  });
});

describe('client management (RFC 7592)', () => {
  it('reads the registered client from the authorization server', async () => {
    const read = data(await server.call('oauth_get_client', { provider: 'machine' }));
    expect(read).toMatchObject({
      provider: 'machine',
      grant_types: ['client_credentials'],
      manageable: true,
    });
    expect(read.metadata).toMatchObject({
      client_id: read.client_id,
      token_endpoint_auth_method: 'client_secret_basic',
    });
  });

  it('updates by full replacement and keeps the rotated registration access token', async () => {
    const before = data(await exposed.call('oauth_get_client', { provider: 'notes-app' }));
    const updated = data(
      await server.call('oauth_update_client', {
        provider: 'notes-app',
        redirect_uris: ['http://127.0.0.1/callback', 'http://127.0.0.1/other-callback'],
      }),
    );
    expect(updated).toMatchObject({
      redirect_uris: ['http://127.0.0.1/callback', 'http://127.0.0.1/other-callback'],
      registration_access_token_rotated: true,
      // full replacement kept what was not changed
      client_name: 'Notes App',
      scope: 'openid profile offline_access',
    });

    const after = data(await exposed.call('oauth_get_client', { provider: 'notes-app' }));
    expect(after.redirect_uris).toEqual(updated.redirect_uris);
    expect(after.registration_access_token).not.toBe(before.registration_access_token);
    const old = await fetch(before.registration_client_uri as string, {
      headers: { authorization: `Bearer ${before.registration_access_token}` },
    });
    expect(old.status).toBe(401);
  });

  it('keeps registered profiles across a server restart with the file store', async () => {
    await server.close();
    server = await startServerProcess({ dir, config: config(false) });
    const token = data(
      await server.call('oauth_client_credentials', {
        provider: 'machine',
        scopes: ['api:read'],
        resource: DEMO_RESOURCE,
        force_new: true,
      }),
    );
    expect(token.session).toMatchObject({ provider: 'machine', grant: 'client_credentials' });
    expect(data(await server.call('oauth_get_client', { provider: 'notes-app' })).redirect_uris).toHaveLength(
      2,
    );
  });

  it('deletes the client at the server, forgets its profile and sessions; its token requests then fail', async () => {
    const { client_id, client_secret } = data(
      await exposed.call('oauth_get_client', { provider: 'machine' }),
    );
    const configuration = await oidc.discovery(
      new URL(as.issuer),
      client_id as string,
      undefined,
      oidc.ClientSecretBasic(client_secret as string),
      { execute: [oidc.allowInsecureRequests] },
    );
    const grant = () =>
      oidc.clientCredentialsGrant(configuration, { scope: 'api:read', resource: DEMO_RESOURCE });
    await expect(grant()).resolves.toHaveProperty('access_token');

    const deleted = data(await server.call('oauth_delete_client', { provider: 'machine' }));
    expect(deleted).toEqual({ provider: 'machine', client_id, deleted_at_server: true, sessions_removed: 1 });
    const left = data(await server.call('oauth_list_sessions', {})).sessions as { provider: string }[];
    expect(left.filter((s) => s.provider === 'machine')).toEqual([]);
    // The profile is gone: the name is now unknown, like any other mistaken provider name.
    expect(failure(await server.call('oauth_list_sessions', { provider: 'machine' }))).toMatchObject({
      code: 'invalid_input',
    });
    expect(failure(await server.call('oauth_client_credentials', { provider: 'machine' }))).toMatchObject({
      code: 'invalid_input',
    });
    // oidc-provider answers 401 with the error in a Basic challenge (RFC 6749 section 5.2)
    await expect(grant()).rejects.toMatchObject({
      status: 401,
      cause: [{ parameters: { error: 'invalid_client' } }],
    });
  });
});

describe('registration errors', () => {
  let bare: { server: Server; issuer: string };

  beforeAll(async () => {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, { features: { registration: { enabled: false } } });
    http.on('request', provider.callback());
    bare = { server: http, issuer };
  });
  afterAll(() => new Promise<void>((resolve) => bare.server.close(() => resolve())));

  it('says registration is not enabled when the server has no registration endpoint', async () => {
    const error = failure(await server.call('oauth_register_client', { issuer: bare.issuer }));
    expect(error.code).toBe('not_configured');
    expect(error.message).toContain('Registration is not enabled on the authorization server');
  });

  it('reports invalid_redirect_uri with advice', async () => {
    const error = failure(
      await server.call('oauth_register_client', { redirect_uris: ['https://app.example/cb#fragment'] }),
    );
    expect(error).toMatchObject({ code: 'invalid_input', oauth_error: 'invalid_redirect_uri' });
    expect(error.message).toContain('refused the redirect URIs');
  });

  it('reports invalid_client_metadata with advice', async () => {
    const error = failure(await server.call('oauth_register_client', { grant_types: ['password'] }));
    expect(error).toMatchObject({ code: 'invalid_input', oauth_error: 'invalid_client_metadata' });
    expect(error.message).toContain('refused the client metadata');
  });

  it('refuses a public client that asks for client_credentials before contacting the server', async () => {
    const error = failure(
      await server.call('oauth_register_client', {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
      }),
    );
    expect(error).toMatchObject({ code: 'invalid_input' });
  });

  it('refuses a ${NAME} reference in initial_access_token: tool arguments are never read from the environment', async () => {
    const error = failure(
      await server.call('oauth_register_client', { initial_access_token: '${OAUTH_MCP_TEST_NO_SUCH_IAT}' }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(
      '"initialAccessToken": "${NAME}" on the provider in the oauth-mcp config',
    );
    expect(error.message).not.toContain('OAUTH_MCP_TEST_NO_SUCH_IAT');
  });

  it('refuses a profile name that is taken by a registered client or a configured provider', async () => {
    for (const name of ['notes-app', 'demo']) {
      const error = failure(await server.call('oauth_register_client', { name }));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(`A provider named "${name}" already exists`);
    }
  });

  it('names unknown and config-file profiles', async () => {
    const unknown = failure(await server.call('oauth_get_client', { provider: 'nope' }));
    expect(unknown).toMatchObject({ code: 'not_configured' });
    expect(unknown.message).toContain('Registered clients: notes-app');
    const configured = failure(
      await server.call('oauth_update_client', { provider: 'demo', client_name: 'x' }),
    );
    expect(configured.message).toContain('comes from the config file');
  });

  it('explains a 401 on management when the registration token was rotated elsewhere', async () => {
    data(await server.call('oauth_register_client', { name: 'rotated-elsewhere' }));
    const seen = data(await exposed.call('oauth_get_client', { provider: 'rotated-elsewhere' }));
    const body = Object.fromEntries(
      Object.entries(seen.metadata as Record<string, unknown>).filter(
        ([key]) =>
          !['registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'].includes(key),
      ),
    );
    const elsewhere = await fetch(seen.registration_client_uri as string, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${seen.registration_access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ...body, client_name: 'changed elsewhere' }),
    });
    expect(elsewhere.status).toBe(200);

    const error = failure(await server.call('oauth_get_client', { provider: 'rotated-elsewhere' }));
    expect(error).toMatchObject({ code: 'not_authenticated', oauth_error: 'invalid_token' });
    expect(error.message).toContain('rotated by an update made elsewhere');
    const forgotten = data(
      await server.call('oauth_delete_client', { provider: 'rotated-elsewhere', local_only: true }),
    );
    expect(forgotten).toMatchObject({ deleted_at_server: false });
    expect(failure(await server.call('oauth_get_client', { provider: 'rotated-elsewhere' })).code).toBe(
      'not_configured',
    );
  });
});
