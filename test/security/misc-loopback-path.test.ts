// The loopback redirect listener (RFC 8252 7.3) answers only on the registered redirect path: a request on
// any other path gets 404 and does not consume the sign-in, which still completes on the real callback.

import { afterEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { signIn } from '../helpers/user-agent.js';
import { data, type SignInClient, startSignInClient } from '../sign-in/harness.js';

const as = useAuthorizationServer();
let mcp: SignInClient | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe('the loopback listener', () => {
  it('answers 404 on a path other than the redirect path and the flow still completes', async () => {
    mcp = await startSignInClient(as());
    const started = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
    const redirectUri = new URL(
      new URL(started.authorization_url as string).searchParams.get('redirect_uri') as string,
    );
    expect(redirectUri.pathname).toBe('/callback');
    const result = await signIn(started.authorization_url as string, {
      login: 'ivan',
      stopAt: (url) => url.port === redirectUri.port,
    });
    const callback = new URL(result.finalUrl);
    expect(callback.searchParams.get('code')).toBeTruthy();

    for (const path of ['/', '/other', '/callback/', '/callbackx', '/favicon.ico']) {
      const elsewhere = new URL(callback);
      elsewhere.pathname = path;
      const response = await fetch(elsewhere);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('Signed in');
    }
    const post = await fetch(callback, { method: 'POST' });
    expect(post.status).toBe(404);

    const page = await fetch(callback);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in');
    const done = data(
      await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
    );
    expect(done.status).toBe('authenticated');
    expect(done.session).toMatchObject({ subject: 'ivan' });
  });
});
