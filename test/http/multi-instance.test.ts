// Several oauth-mcp instances behind one public URL, sharing a real redis-server and no sticky sessions:
// a session made through instance 1 is usable through instance 2, and a sign-in started on 1 completes on 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DEMO_RESOURCE } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type ConnectedClient,
  connectClient,
  freePort,
  type HttpServerProcess,
  MCP_SCOPES,
  mcpResourceServer,
  startHttpProcess,
} from '../helpers/http-server-process.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { CookieJar, continueAtStartPage, signIn, visit } from '../helpers/user-agent.js';

const AUDIENCE = 'https://mcp.team.test/mcp';
const TEAM_CLIENT = { clientId: 'mcp-team', clientSecret: 'mcp-team-secret-NOT-A-REAL-SECRET' };

const as = useAuthorizationServer({
  resourceServers: mcpResourceServer(AUDIENCE),
  clients: [
    {
      client_id: TEAM_CLIENT.clientId,
      client_secret: TEAM_CLIENT.clientSecret,
      application_type: 'native',
      // Loopback redirect URIs match on any port (RFC 8252 section 7.3): the path is what counts.
      redirect_uris: ['http://127.0.0.1/oauth/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access api:read',
    },
  ],
});
const redis = useRedisServer();

let one: HttpServerProcess;
let two: HttpServerProcess;
let onOne: ConnectedClient;
let onTwo: ConnectedClient;

beforeAll(async () => {
  const ports = [await freePort(), await freePort()];
  // Both instances stand behind one public URL (the load balancer's); here it is instance 1's address.
  const publicUrl = `http://127.0.0.1:${ports[0]}`;
  const config = {
    providers: {
      team: {
        issuer: as.issuer,
        clientId: TEAM_CLIENT.clientId,
        clientSecret: TEAM_CLIENT.clientSecret,
        scopes: ['openid', 'api:read'],
      },
      machine: {
        issuer: as.issuer,
        clientId: DEMO_CLIENTS.confidential.clientId,
        clientSecret: DEMO_CLIENTS.confidential.clientSecret,
        scopes: ['api:read'],
        resource: DEMO_RESOURCE,
        sharedClientCredentials: true,
      },
    },
    defaultProvider: 'team',
    store: { type: 'redis', url: redis().url, key: 'shared team store key, same on every instance' },
    http: { auth: { issuer: as.issuer, audience: AUDIENCE }, legacySessions: 'stateless' },
  };
  const start = (port: number) => startHttpProcess({ config, port, args: ['--public-url', publicUrl] });
  [one, two] = await Promise.all([start(ports[0] as number), start(ports[1] as number)]);
  const token = await as().issueAccessToken({
    accountId: 'alice',
    clientId: DEMO_CLIENTS.public.clientId,
    scope: MCP_SCOPES,
    resource: AUDIENCE,
  });
  onOne = await connectClient(one.mcpUrl, token, 'v2-modern');
  onTwo = await connectClient(two.mcpUrl, token, 'v1');
});

afterAll(async () => {
  await onOne?.close();
  await onTwo?.close();
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('two instances on one redis-server', () => {
  it('uses through instance 2 a session made through instance 1', async () => {
    const made = await onOne.callTool('oauth_client_credentials', { provider: 'machine' });
    expect(made.isError).toBeFalsy();
    const sessionId = (made.structuredContent as { session: { session_id: string } }).session.session_id;

    const listed = await onTwo.callTool('oauth_list_sessions');
    expect(
      (listed.structuredContent as { sessions: { session_id: string }[] }).sessions.map((s) => s.session_id),
    ).toContain(sessionId);
    expect(listed.structuredContent?.store).toMatchObject({ backend: 'redis', encrypted: true });
    const introspected = await onTwo.callTool('oauth_introspect_token', { session_id: sessionId });
    expect(introspected.isError).toBeFalsy();
    expect(introspected.structuredContent).toMatchObject({ active: true });
  });

  it('completes through instance 2 a sign-in started through instance 1', async () => {
    const started = await onOne.callTool('oauth_authenticate_user', {
      provider: 'team',
      flow: 'authorization_code',
      wait_seconds: 0,
    });
    expect(started.isError).toBeFalsy();
    const { flow_id, authorization_url } = started.structuredContent as {
      flow_id: string;
      authorization_url: string;
    };
    expect(authorization_url.startsWith(`${one.origin}/oauth/start/`)).toBe(true);

    const jar = new CookieJar();
    const { answer } = await continueAtStartPage(authorization_url, jar);
    const toAs = answer.location as string;
    expect(new URL(toAs).searchParams.get('redirect_uri')).toBe(`${one.origin}/oauth/callback`);
    const { finalUrl } = await signIn(toAs, { login: 'alice', jar });
    const callback = new URL(finalUrl);
    expect(callback.pathname).toBe('/oauth/callback');
    // The load balancer sends the browser's callback to instance 2.
    const page = await visit(`${two.origin}${callback.pathname}${callback.search}`, jar);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Signed in');

    const finished = await onTwo.callTool('oauth_authenticate_user', { flow_id, wait_seconds: 0 });
    expect(finished.isError).toBeFalsy();
    expect(finished.structuredContent).toMatchObject({
      status: 'authenticated',
      session: { provider: 'team', subject: 'alice', grant: 'authorization_code' },
    });

    const replay = await visit(`${one.origin}${callback.pathname}${callback.search}`, jar);
    expect(replay.text).not.toContain('Signed in');
  });
});
