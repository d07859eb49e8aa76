// Client ID Metadata Documents: a provider with `clientMetadataUrl` signs in with that URL as its client id (no
// registration) at a server that advertises support and fetches the document from loopback; in HTTP mode the
// built server serves its own document, which the server fetches from it during the sign-in.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { rsaKey } from '../diagnostics/keys.js';
import { type CimdServer, startCimdServer } from '../helpers/cimd-authorization-server.js';
import {
  connectClient,
  freePort,
  type HttpServerProcess,
  startHttpProcess,
} from '../helpers/http-server-process.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { CookieJar, continueAtStartPage, signIn, visit } from '../helpers/user-agent.js';

let cimd: CimdServer;
let silent: CimdServer;
let documents: Server;
let documentUrl: string;

beforeAll(async () => {
  cimd = await startCimdServer();
  silent = await startCimdServer({ advertise: false });
  // The operator's own copy of the document, e.g. on a static site; loopback here.
  documents = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'oauth-mcp',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  documentUrl = `http://127.0.0.1:${(documents.address() as AddressInfo).port}/oauth-mcp.json`;
});

afterAll(async () => {
  await cimd?.close();
  await silent?.close();
  await new Promise((resolve) => documents?.close(resolve));
});

describe('clientMetadataUrl (stdio)', () => {
  let mcp: InProcessServer | undefined;
  afterEach(async () => {
    await mcp?.close();
    mcp = undefined;
  });
  const start = () =>
    startInProcess({
      providers: {
        cimd: { issuer: cimd.issuer, clientMetadataUrl: documentUrl },
        silent: { issuer: silent.issuer, clientMetadataUrl: documentUrl },
      },
      defaultProvider: 'cimd',
    });

  it('signs in with the document URL as client id, without registering; the server fetched the document', async () => {
    mcp = await start();
    const started = (await mcp.call('oauth_authenticate_user', { wait_seconds: 0 })).structuredContent;
    expect(started.status).toBe('pending');
    expect(new URL(started.authorization_url).searchParams.get('client_id')).toBe(documentUrl);

    await signIn(started.authorization_url, { login: 'alice', followCallback: true });
    const done = await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 });
    expect(done.structuredContent).toMatchObject({ status: 'authenticated', session: { provider: 'cimd' } });
    expect(cimd.fetched).toEqual([documentUrl]);
    expect(cimd.issuedTo).toEqual([documentUrl]);
  });

  it('is reported by oauth_discover and oauth_audit_server', async () => {
    mcp = await start();
    const discovered = await mcp.call('oauth_discover', { provider: 'cimd' });
    expect(discovered.structuredContent.delegation).toEqual({
      token_exchange: false,
      jwt_bearer: false,
      client_id_metadata_document: true,
    });
    const audit = await mcp.call('oauth_audit_server', { provider: 'cimd' });
    const checks = audit.structuredContent.sections.flatMap((s: { checks: unknown[] }) => s.checks);
    expect(checks.find((c: { id: string }) => c.id === 'mcp_registration')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('client ID metadata documents'),
    });
    const other = await mcp.call('oauth_discover', { provider: 'silent' });
    expect(other.structuredContent.delegation.client_id_metadata_document).toBe(false);
  });

  it('refuses to sign in where the server does not advertise support, before sending the URL anywhere', async () => {
    mcp = await start();
    const result = await mcp.call('oauth_authenticate_user', { provider: 'silent', wait_seconds: 0 });
    expect(toolError(result).code).toBe('not_configured');
    expect(toolError(result).message).toMatch(/does not advertise client_id_metadata_document_supported/);
    expect(silent.fetched).toEqual([]);
  });

  it('is refused in the config beside a client secret, which such a client cannot have', () => {
    expect(() =>
      parseConfig({
        providers: { p: { issuer: cimd.issuer, clientMetadataUrl: documentUrl, clientSecret: 's' } },
      }),
    ).toThrow(/clientMetadataUrl.*remove "clientId" and "clientSecret"/s);
  });
});

describe('clientMetadataUrl (HTTP mode serves its own document)', () => {
  let server: HttpServerProcess;
  let origin: string;
  const key = rsaKey('cimd-key');

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    server = await startHttpProcess({
      port,
      args: ['--public-url', origin],
      config: {
        providers: {
          cimd: { issuer: cimd.issuer, clientMetadataUrl: `${origin}/oauth/client-metadata/cimd` },
          keyed: {
            issuer: cimd.issuer,
            clientMetadataUrl: `${origin}/oauth/client-metadata/keyed`,
            clientPrivateKey: JSON.stringify(key.jwk),
            scopes: ['read'],
          },
          elsewhere: { issuer: cimd.issuer, clientMetadataUrl: documentUrl },
        },
        defaultProvider: 'cimd',
        store: { type: 'memory' },
      },
    });
  });
  afterAll(() => server?.stop());

  it('serves each such provider its document at /oauth/client-metadata/<provider>, public keys only', async () => {
    const plain = await fetch(`${origin}/oauth/client-metadata/cimd`);
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({
      client_id: `${origin}/oauth/client-metadata/cimd`,
      client_name: 'oauth-mcp (cimd)',
      redirect_uris: [`${origin}/oauth/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const keyed = (await (await fetch(`${origin}/oauth/client-metadata/keyed`)).json()) as Record<
      string,
      any
    >;
    expect(keyed).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', scope: 'read' });
    expect(keyed.jwks.keys).toEqual([
      { kty: 'RSA', n: key.jwk.n, e: key.jwk.e, alg: 'RS256', use: 'sig', kid: 'cimd-key' },
    ]);
    // Not for a provider whose document lives elsewhere, nor for names that are no provider.
    expect((await fetch(`${origin}/oauth/client-metadata/elsewhere`)).status).toBe(404);
    expect((await fetch(`${origin}/oauth/client-metadata/constructor`)).status).toBe(404);
  });

  it('signs a user in with it: the authorization server fetches the document from oauth-mcp', async () => {
    const client = await connectClient(server.mcpUrl, undefined, 'v2-modern');
    try {
      const started = (await client.callTool('oauth_authenticate_user', { wait_seconds: 0 }))
        .structuredContent;
      const jar = new CookieJar();
      const { answer } = await continueAtStartPage(started.authorization_url, jar);
      expect(new URL(answer.location as string).searchParams.get('client_id')).toBe(
        `${origin}/oauth/client-metadata/cimd`,
      );
      const authorized = await visit(answer.location as string, jar);
      expect(authorized.status).toBe(302);
      const callback = await visit(authorized.location as string, jar);
      expect(callback.status).toBe(200);
      const done = await client.callTool('oauth_authenticate_user', {
        flow_id: started.flow_id,
        wait_seconds: 5,
      });
      expect(done.structuredContent).toMatchObject({
        status: 'authenticated',
        session: { provider: 'cimd' },
      });
      expect(cimd.fetched.at(-1)).toBe(`${origin}/oauth/client-metadata/cimd`);
    } finally {
      await client.close();
    }
  });
});
