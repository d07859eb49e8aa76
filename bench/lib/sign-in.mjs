// Signs a user in through a running oauth-mcp (oauth_authenticate_user, code flow + PKCE) with the
// headless user agent of the tests (compiled by tsconfig.bench.json), so benchmarks get real sessions.

import { signIn } from '../../node_modules/.cache/oauth-mcp-bench/user-agent.js';

/** Returns the session (public view) of `login`, with a refresh token (offline_access). */
export async function signInThrough(server, login = 'alice') {
  const started = await server.call('oauth_authenticate_user', {
    flow: 'authorization_code',
    scopes: ['openid', 'profile', 'offline_access'],
    wait_seconds: 0,
  });
  const { authorization_url: url, flow_id: flowId } = started.structuredContent;
  await signIn(url, { login, followCallback: true });
  const done = await server.call('oauth_authenticate_user', { flow_id: flowId, wait_seconds: 10 });
  if (done.structuredContent.status !== 'authenticated') {
    throw new Error(`sign-in ended ${done.structuredContent.status}`);
  }
  return done.structuredContent.session;
}
