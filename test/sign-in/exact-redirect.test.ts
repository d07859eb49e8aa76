// Servers that match redirect URIs exactly (no port variation, against RFC 8252 7.3): the real oidc-provider
// with a `web` client, whose one registered loopback redirect URI must match to the port. The sign-in on an
// ephemeral port meets the server's error page, and the pending status says what to check; a fixed-port
// `redirectUri`, as the README documents, signs in.

import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { signIn } from '../helpers/user-agent.js';

/** A loopback port free right now, for the fixed redirect URI. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const REDIRECT_URI = `http://127.0.0.1:${port}/callback`;
const CLIENT_ID = 'exact-web';
const as = useAuthorizationServer({
  clients: [
    {
      client_id: CLIENT_ID,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid profile',
    },
  ],
});
let mcp: InProcessServer;

beforeAll(async () => {
  mcp = await startInProcess({
    providers: {
      ephemeral: { issuer: as.issuer, clientId: CLIENT_ID, scopes: ['openid'] },
      fixed: { issuer: as.issuer, clientId: CLIENT_ID, scopes: ['openid'], redirectUri: REDIRECT_URI },
    },
  });
});
afterAll(() => mcp?.close());

function data(result: Awaited<ReturnType<InProcessServer['call']>>): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent as Record<string, any>;
}

describe('a server that matches redirect URIs exactly', () => {
  it('shows its own error for an ephemeral port, and the pending status says what to check', async () => {
    const started = data(
      await mcp.call('oauth_authenticate_user', { provider: 'ephemeral', wait_seconds: 0 }),
    );
    const sent = new URL(started.authorization_url).searchParams.get('redirect_uri');
    expect(sent).not.toBe(REDIRECT_URI);
    await expect(signIn(started.authorization_url, { login: 'ada' })).rejects.toThrow(/redirect_uri/);
    const waiting = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 0 }),
    );
    expect(waiting.status).toBe('pending');
    expect(waiting.message).toContain(
      `If the authorization server showed an error about the redirect URI instead of a sign-in page, it compares redirect URIs exactly (port included): register exactly ${sent} there`,
    );
    expect(waiting.message).toMatch(/set a fixed "redirectUri" on the provider/);
  });

  it('signs in with a fixed-port redirectUri registered there', async () => {
    const started = data(await mcp.call('oauth_authenticate_user', { provider: 'fixed', wait_seconds: 0 }));
    expect(new URL(started.authorization_url).searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    await signIn(started.authorization_url, { login: 'ada', followCallback: true });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    expect(done).toMatchObject({ status: 'authenticated', session: { subject: 'ada', provider: 'fixed' } });
  });
});
