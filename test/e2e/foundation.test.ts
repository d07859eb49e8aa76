// The foundation through the built binary over stdio, for a 2026-era (v2) and a 2025-era (v1) client:
// discovery, client credentials, introspection, revocation, sessions, restarts, and clear errors.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { CLI, type Era, type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';

const FOUNDATION_TOOLS = [
  'oauth_discover',
  'oauth_client_credentials',
  'oauth_introspect_token',
  'oauth_revoke_access',
  'oauth_list_sessions',
];

const as = useAuthorizationServer();
let closedPort = 0;

beforeAll(async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
});

function providers(issuer: string) {
  const { confidential, confidentialPost } = as().clients;
  return {
    basic: {
      issuer,
      clientId: confidential.clientId,
      clientSecret: confidential.clientSecret,
      scopes: ['api:read'],
      resource: 'http://127.0.0.1/demo-api',
    },
    post: {
      issuer,
      clientId: confidentialPost.clientId,
      clientSecret: confidentialPost.clientSecret,
      tokenEndpointAuthMethod: 'client_secret_post',
    },
    'wrong-secret': { issuer, clientId: confidential.clientId, clientSecret: 'not-the-secret-at-all' },
    unreachable: { issuer: `http://127.0.0.1:${closedPort}`, clientId: 'x', clientSecret: 'y' },
  };
}

describe.each<Era>(['v2', 'v1'])('foundation over stdio with the %s client', (era) => {
  let server: ServerProcess;
  const secretsSeen: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess({
      era,
      config: { providers: providers(as.issuer), defaultProvider: 'basic', exposeTokens: true },
    });
  });
  afterAll(async () => {
    const stderr = server.stderr();
    await server.close();
    // Nothing the server logged may contain a token or a client secret.
    for (const secret of [
      ...secretsSeen,
      as().clients.confidential.clientSecret,
      as().clients.confidentialPost.clientSecret,
    ]) {
      expect(stderr).not.toContain(secret);
    }
  });

  it('lists the five foundation tools with input and output schemas and all four annotations', async () => {
    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(FOUNDATION_TOOLS));
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(Object.keys(tool.annotations ?? {})).toEqual(
        expect.arrayContaining(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']),
      );
    }
  });

  it('discovers a provider and an issuer URL', async () => {
    const byProvider = await server.call('oauth_discover', { provider: 'basic' });
    expect(byProvider.isError).toBeFalsy();
    expect(byProvider.structuredContent).toMatchObject({
      issuer: as.issuer,
      provider: 'basic',
      source: 'openid-configuration',
    });
    expect((byProvider.structuredContent.metadata as Record<string, unknown>).token_endpoint).toBe(
      `${as.issuer}/token`,
    );
    const byIssuer = await server.call('oauth_discover', { issuer: as.issuer });
    expect(byIssuer.structuredContent).toMatchObject({ issuer: as.issuer });
  });

  it('gets client-credentials tokens with client_secret_basic and client_secret_post', async () => {
    for (const provider of ['basic', 'post']) {
      const result = await server.call('oauth_client_credentials', { provider, force_new: true });
      expect(result.isError).toBeFalsy();
      const session = result.structuredContent.session as Record<string, unknown>;
      expect(session).toMatchObject({
        provider,
        grant: 'client_credentials',
        token_type: 'Bearer',
        has_refresh_token: false,
      });
      expect(Date.parse(session.expires_at as string)).toBeGreaterThan(Date.now());
      expect(session.access_token_sha256).toMatch(/^[0-9a-f]{16}$/);
      secretsSeen.push(session.access_token as string);
    }
  });

  it('reuses a stored machine token without contacting the authorization server', async () => {
    const first = await server.call('oauth_client_credentials', { provider: 'basic' });
    const before = as().counts()['POST /token'] ?? 0;
    const second = await server.call('oauth_client_credentials', { provider: 'basic' });
    expect(second.structuredContent.reused).toBe(true);
    expect((second.structuredContent.session as { session_id: string }).session_id).toBe(
      (first.structuredContent.session as { session_id: string }).session_id,
    );
    expect(as().counts()['POST /token'] ?? 0).toBe(before);
  });

  it('introspects a session token as active, keeping every field the server returns', async () => {
    const { structuredContent } = await server.call('oauth_client_credentials', { provider: 'basic' });
    const session = structuredContent.session as { session_id: string };
    const result = await server.call('oauth_introspect_token', { session_id: session.session_id });
    expect(result.structuredContent).toMatchObject({
      active: true,
      method: 'introspection',
      client_id: as().clients.confidential.clientId,
      scope: 'api:read',
      session_id: session.session_id,
    });
  });

  it('revokes a session: the token turns inactive and the session leaves the store', async () => {
    const { structuredContent } = await server.call('oauth_client_credentials', {
      provider: 'post',
      force_new: true,
    });
    const session = structuredContent.session as { session_id: string; access_token: string };
    const revoked = await server.call('oauth_revoke_access', { session_id: session.session_id });
    expect(revoked.structuredContent).toMatchObject({
      session_id: session.session_id,
      session_removed: true,
    });
    const after = await server.call('oauth_introspect_token', {
      provider: 'post',
      token: session.access_token,
    });
    expect(after.structuredContent).toMatchObject({ active: false });
    const listed = await server.call('oauth_list_sessions', {});
    const ids = (listed.structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id);
    expect(ids).not.toContain(session.session_id);
  });

  it('lists the providers to choose from, without secrets', async () => {
    const { structuredContent } = await server.call('oauth_list_sessions', {});
    expect(structuredContent.providers).toContainEqual({
      name: 'basic',
      issuer: as.issuer,
      client_id: as().clients.confidential.clientId,
      source: 'config',
      confidential: true,
      is_default: true,
    });
    expect(structuredContent.providers.map((p: { name: string }) => p.name)).toEqual([
      'basic',
      'post',
      'wrong-secret',
      'unreachable',
    ]);
    expect(JSON.stringify(structuredContent.providers)).not.toContain(as().clients.confidential.clientSecret);
  });

  it('lists sessions with metadata and says where they are stored', async () => {
    const result = await server.call('oauth_list_sessions', { provider: 'basic' });
    const sessions = result.structuredContent.sessions as Record<string, unknown>[];
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.provider === 'basic')).toBe(true);
    expect(result.structuredContent.store).toMatchObject({
      backend: 'file',
      location: join(server.dir, 'tokens.json'),
    });
  });

  describe('answers bad input with a clear tool error and keeps serving', () => {
    const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
      [
        'an unknown provider',
        'oauth_client_credentials',
        { provider: 'nope' },
        'invalid_input',
        /Unknown provider "nope".*Known providers: basic/,
      ],
      ['a malformed issuer URL', 'oauth_discover', { issuer: 'not a url' }, 'invalid_input', /not a URL/],
      [
        'an http issuer that is not loopback',
        'oauth_discover',
        { issuer: 'http://auth.example.com' },
        'invalid_input',
        /http is allowed only on loopback/,
      ],
      [
        'an unreachable authorization server',
        'oauth_client_credentials',
        { provider: 'unreachable' },
        'network_error',
        /could not reach the server \(connection refused\)/,
      ],
      [
        'a wrong client secret',
        'oauth_client_credentials',
        { provider: 'wrong-secret', force_new: true },
        'oauth_error',
        /invalid_client.*Check the client id and secret/,
      ],
    ];
    it.each(cases)('%s', async (_name, tool, args, code, message) => {
      const result = await server.call(tool, args);
      expect(result.isError).toBe(true);
      const error = result.structuredContent.error as { code: string; message: string };
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(result.content[0]?.text).toContain(error.message);
      const stillServing = await server.call('oauth_list_sessions', {});
      expect(stillServing.isError).toBeFalsy();
    });

    it.each([
      [
        '500',
        { status: 500, body: 'boom', contentType: 'text/plain' },
        /HTTP 500 \(a server-side failure\).*retry later/,
      ],
      [
        'non-JSON',
        { status: 200, body: '<html>not json</html>', contentType: 'text/html' },
        /not a valid OAuth response/,
      ],
    ])('an authorization server answering %s', async (_name, injected, message) => {
      as().failNext('POST /token', injected);
      const result = await server.call('oauth_client_credentials', { provider: 'basic', force_new: true });
      expect(result.isError).toBe(true);
      expect(result.structuredContent.error).toMatchObject({
        code: 'invalid_response',
        message: expect.stringMatching(message),
      });
    });
  });
});

describe('the file store', () => {
  it('survives a restart of the server and is readable only by its owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-restart-'));
    const config = { providers: providers(as.issuer), defaultProvider: 'basic' };
    const first = await startServerProcess({ config, dir });
    const made = await first.call('oauth_client_credentials', {});
    await first.close();
    const second = await startServerProcess({ config, dir });
    const listed = await second.call('oauth_list_sessions', {});
    await second.close();
    const sessionId = (made.structuredContent.session as { session_id: string }).session_id;
    expect(
      (listed.structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id),
    ).toContain(sessionId);
    expect(statSync(join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);
  });
});

describe('start-up', () => {
  it('refuses a config whose ${VAR} reference is not set, naming the field and the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-config-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        providers: {
          work: { issuer: 'https://auth.example.com', clientId: 'a', clientSecret: '${WORK_SECRET_MISSING}' },
        },
      }),
    );
    const run = spawnSync(process.execPath, [CLI, '--config', join(dir, 'config.json')], {
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/providers\.work\.clientSecret refers to \$\{WORK_SECRET_MISSING\}.*not set/);
  });

  it('prints --help and --version', () => {
    expect(spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout).toMatch(
      /--transport http/,
    );
    expect(spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).stdout).toMatch(
      /^\d+\.\d+\.\d+\n$/,
    );
  });
});
