// oauth_authenticate_user, authorization code + PKCE, end to end: the built server over stdio, the real
// oidc-provider, and a headless user agent that logs in and consents on the AS's pages.

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

async function sessionsOf(client: SignInClient) {
  return data(await client.call('oauth_list_sessions')).sessions as Record<string, unknown>[];
}

describe('authorization code flow', () => {
  it('returns a pending sign-in at once, then authenticated after the user signs in; introspection works', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
    expect(started).toMatchObject({ status: 'pending', flow: 'authorization_code', provider: 'work' });
    expect(started.browser_opened).toBe(false);

    const authorizationUrl = new URL(started.authorization_url as string);
    const query = authorizationUrl.searchParams;
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(query.get('nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(query.get('prompt')).toBe('consent');
    const redirect = new URL(query.get('redirect_uri') as string);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');

    const browser = await signIn(authorizationUrl.href, { login: 'alice', followCallback: true });
    expect(browser.status).toBe(200);
    expect(browser.body).toContain('You can close this tab');
    expect(browser.body).not.toMatch(/code=|access_token/);

    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    expect(done.status).toBe('authenticated');
    const session = done.session as Record<string, unknown>;
    expect(session).toMatchObject({
      provider: 'work',
      grant: 'authorization_code',
      subject: 'alice',
      has_refresh_token: true,
    });
    expect(session).not.toHaveProperty('access_token');
    expect(session.scope).toContain('openid');

    const introspection = data(
      await mcp.call('oauth_introspect_token', { session_id: session.session_id as string }),
    );
    expect(introspection).toMatchObject({ active: true, sub: 'alice', method: 'introspection' });

    // The flow is consumed: continuing it again is a clear error, not a second session.
    const again = await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 0 });
    expect(again.isError).toBe(true);
    expect(again.content[0]?.text).toMatch(/No pending sign-in/);
    expect(await sessionsOf(mcp)).toHaveLength(1);
  });

  it('waits within the same call while the user signs in, and keeps one session per subject', async () => {
    mcp = await startSignInClient(as());
    const client = mcp;
    const first = data(await client.call('oauth_authenticate_user', { wait_seconds: 0 }));
    await signIn(first.authorization_url as string, { login: 'bob', followCallback: true });
    const firstDone = data(await client.call('oauth_authenticate_user', { flow_id: first.flow_id }));
    const firstSession = firstDone.session as Record<string, unknown>;

    // Start a second sign-in that waits; the user completes it while the call is in flight.
    const second = data(await client.call('oauth_authenticate_user', { wait_seconds: 0, login_hint: 'bob' }));
    expect(new URL(second.authorization_url as string).searchParams.get('login_hint')).toBe('bob');
    const waiting = client.call('oauth_authenticate_user', { flow_id: second.flow_id, wait_seconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await signIn(second.authorization_url as string, { login: 'bob', followCallback: true });
    const secondDone = data(await waiting);
    expect(secondDone.status).toBe('authenticated');
    const secondSession = secondDone.session as Record<string, unknown>;
    expect(secondSession.session_id).toBe(firstSession.session_id);
    expect(secondSession.access_token_sha256).not.toBe(firstSession.access_token_sha256);

    const third = data(await client.call('oauth_authenticate_user', { wait_seconds: 0 }));
    await signIn(third.authorization_url as string, { login: 'carol', followCallback: true });
    const thirdDone = data(await client.call('oauth_authenticate_user', { flow_id: third.flow_id }));
    expect((thirdDone.session as Record<string, unknown>).subject).toBe('carol');
    expect((await sessionsOf(client)).map((s) => s.subject).sort()).toEqual(['bob', 'carol']);
  });

  it('reports denied when the user refuses consent', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
    const browser = await signIn(started.authorization_url as string, {
      login: 'dave',
      consent: false,
      followCallback: true,
    });
    expect(browser.status).toBe(403);
    expect(browser.body).toContain('Sign-in denied');
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 2 }),
    );
    expect(done.status).toBe('denied');
    expect(await sessionsOf(mcp)).toHaveLength(0);
  });

  it('passes resource and uses pushed authorization requests when the provider asks for PAR', async () => {
    mcp = await startSignInClient(as(), {
      provider: { usePar: true, scopes: ['openid', 'api:read'], resource: 'http://127.0.0.1/demo-api' },
    });
    as().resetCounts();
    const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
    const query = new URL(started.authorization_url as string).searchParams;
    expect(query.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(query.get('code_challenge')).toBeNull();
    expect(as().counts()['POST /request']).toBe(1);
    await signIn(started.authorization_url as string, { login: 'erin', followCallback: true });
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    expect(done.status).toBe('authenticated');
    expect(done.session).toMatchObject({ resource: 'http://127.0.0.1/demo-api', subject: 'erin' });
  });
});
