// The whole user journey through one MCP client: sign in with oauth_authenticate_user (code + PKCE,
// headless user agent), then userinfo, refresh and an API call with the session it created.

import { describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { useInProcessServer } from '../helpers/in-process-server.js';
import { demoConfig } from '../helpers/signed-in-session.js';
import { signIn } from '../helpers/user-agent.js';

const as = useAuthorizationServer();

describe('after oauth_authenticate_user', () => {
  const mcp = useInProcessServer(() => demoConfig(as(), { api: { allowedOrigins: [as.issuer] } }));

  it('userinfo, refresh and call_api work on the session the sign-in created', async () => {
    const started = await mcp.server.call('oauth_authenticate_user', { wait_seconds: 0 });
    expect(started.structuredContent?.status).toBe('pending');
    await signIn(started.structuredContent?.authorization_url, { login: 'erin', followCallback: true });
    const done = await mcp.server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent?.flow_id,
      wait_seconds: 5,
    });
    expect(done.structuredContent).toMatchObject({
      status: 'authenticated',
      session: { has_refresh_token: true },
    });
    const sessionId = done.structuredContent?.session.session_id;

    const userinfo = await mcp.server.call('oauth_userinfo', { session_id: sessionId });
    expect(userinfo.structuredContent).toMatchObject({
      subject: 'erin',
      claims: { email: 'erin@example.test' },
    });

    as().resetCounts();
    const refreshed = await mcp.server.call('oauth_refresh_token', { session_id: sessionId });
    expect(refreshed.structuredContent).toMatchObject({ outcome: 'refreshed', refresh_token_rotated: true });
    expect(as().counts()['grant:refresh_token']).toBe(1);

    const api = await mcp.server.call('oauth_call_api', { session_id: sessionId, url: `${as.issuer}/me` });
    expect(api.structuredContent).toMatchObject({ status: 200, json: { sub: 'erin' }, refreshed: false });
  });
});
