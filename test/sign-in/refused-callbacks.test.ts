// Callbacks that must be refused (RFC 6749 10.12 state, RFC 9207 iss, one-time codes): each shows a clear
// page, leaves a clear error or a still-usable flow, and creates no session.

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { signIn } from '../helpers/user-agent.js';
import { data, type SignInClient, startSignInClient } from './harness.js';

const as = useAuthorizationServer();
let mcp: SignInClient | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

async function startFlow(client: SignInClient) {
  const started = data(await client.call('oauth_authenticate_user', { wait_seconds: 0 }));
  const authorizationUrl = started.authorization_url as string;
  const query = new URL(authorizationUrl).searchParams;
  const redirectUri = new URL(query.get('redirect_uri') as string);
  return {
    flowId: started.flow_id as string,
    authorizationUrl,
    redirectUri,
    state: query.get('state') as string,
  };
}

/** Logs in and consents, stopping at the redirect back to us: the callback URL with a real code. */
async function callbackUrlOf(flow: Awaited<ReturnType<typeof startFlow>>, login: string): Promise<URL> {
  const result = await signIn(flow.authorizationUrl, {
    login,
    stopAt: (url) => url.port === flow.redirectUri.port,
  });
  return new URL(result.finalUrl);
}

async function visit(url: URL) {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

async function sessionCount(client: SignInClient) {
  return (data(await client.call('oauth_list_sessions')).sessions as unknown[]).length;
}

describe('refused callbacks', () => {
  it('refuses a callback whose state matches no pending sign-in, and the flow stays usable', async () => {
    mcp = await startSignInClient(as());
    const flow = await startFlow(mcp);
    const forged = new URL(flow.redirectUri);
    forged.search = new URLSearchParams({
      code: randomBytes(24).toString('base64url'),
      state: randomBytes(32).toString('base64url'),
      iss: as.issuer,
    }).toString();
    const page = await visit(forged);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Sign-in failed');
    expect(page.body).toContain('does not belong to a sign-in in progress');

    const noState = new URL(flow.redirectUri);
    noState.search = '?code=abc';
    expect((await visit(noState)).status).toBe(400);

    expect(
      data(await mcp.call('oauth_authenticate_user', { flow_id: flow.flowId, wait_seconds: 0 })).status,
    ).toBe('pending');
    expect(await sessionCount(mcp)).toBe(0);
    await signIn(flow.authorizationUrl, { login: 'ivan', followCallback: true });
    const done = data(await mcp.call('oauth_authenticate_user', { flow_id: flow.flowId, wait_seconds: 5 }));
    expect(done.status).toBe('authenticated');
  });

  it('refuses to continue an unknown flow with a clear error', async () => {
    mcp = await startSignInClient(as());
    const result = await mcp.call('oauth_authenticate_user', {
      flow_id: 'flw_doesNotExist0000000',
      wait_seconds: 0,
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({ code: 'invalid_input' });
    expect(result.content[0]?.text).toMatch(
      /No pending sign-in "flw_doesNotExist0000000".*Start a new sign-in/,
    );
  });

  it('refuses a callback whose iss does not match the issuer (RFC 9207), with no session', async () => {
    mcp = await startSignInClient(as());
    const flow = await startFlow(mcp);
    const callback = await callbackUrlOf(flow, 'judy');
    expect(callback.searchParams.get('iss')).toBe(as.issuer);
    callback.searchParams.set('iss', 'https://attacker.example');
    const page = await visit(callback);
    expect(page.status).toBe(400);
    expect(page.body).toContain('did not come from the expected authorization server');

    const result = await mcp.call('oauth_authenticate_user', { flow_id: flow.flowId, wait_seconds: 2 });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({ code: 'invalid_response' });
    expect(result.content[0]?.text).toMatch(/"iss" does not match.*Start a new sign-in/);
    expect(await sessionCount(mcp)).toBe(0);
  });

  it('refuses an authorization code replayed after use, and closes the listener when no flow waits', async () => {
    mcp = await startSignInClient(as());
    const first = await startFlow(mcp);
    const second = await startFlow(mcp);
    expect(second.redirectUri.port).toBe(first.redirectUri.port);

    const used = await callbackUrlOf(first, 'mallory');
    expect((await visit(used)).status).toBe(200);
    expect(data(await mcp.call('oauth_authenticate_user', { flow_id: first.flowId })).status).toBe(
      'authenticated',
    );

    // The same response again: the state is spent, so nothing is redeemed twice.
    const replay = await visit(used);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('does not belong to a sign-in in progress');

    // The spent code under the second flow's valid state: the AS refuses it (one-time code, PKCE).
    const grafted = new URL(used);
    grafted.searchParams.set('state', second.state);
    const page = await visit(grafted);
    expect(page.status).toBe(400);
    expect(page.body).toContain('invalid_grant');
    const result = await mcp.call('oauth_authenticate_user', { flow_id: second.flowId, wait_seconds: 2 });
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({
      code: 'oauth_error',
      oauth_error: 'invalid_grant',
    });
    expect(await sessionCount(mcp)).toBe(1);

    await expect(fetch(first.redirectUri)).rejects.toThrow();
    // Debug logging is on in the harness: still no authorization code in the logs.
    expect(mcp.stderr()).toContain('signed in at provider');
    expect(mcp.stderr()).not.toContain(used.searchParams.get('code') as string);
  });
});
