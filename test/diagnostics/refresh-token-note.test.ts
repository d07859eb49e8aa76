// "Why no refresh token": real sign-ins at oidc-provider through oauth_authenticate_user that end without a
// refresh token carry refresh_token_note with the likely reason; one that has a refresh token carries none.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REDIRECT_URI } from '../../src/demo/authorization-server.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { signIn } from '../helpers/user-agent.js';

const NO_REFRESH_CLIENT = { clientId: 'no-refresh', clientSecret: 'no-refresh-secret-NOT-A-REAL-SECRET' };
const as = useAuthorizationServer({
  clients: [
    {
      client_id: NO_REFRESH_CLIENT.clientId,
      client_secret: NO_REFRESH_CLIENT.clientSecret,
      application_type: 'native',
      redirect_uris: [DEMO_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      scope: 'openid profile offline_access',
    },
  ],
});
let server: InProcessServer;

beforeAll(async () => {
  const { clientId, clientSecret } = as().clients.confidential;
  server = await startInProcess({
    providers: {
      // offlineAccess: false, or oauth-mcp would add offline_access since the server supports it
      online: {
        issuer: as.issuer,
        clientId,
        clientSecret,
        scopes: ['openid', 'profile'],
        offlineAccess: false,
      },
      offline: { issuer: as.issuer, clientId, clientSecret, scopes: ['openid', 'offline_access'] },
      restricted: { issuer: as.issuer, ...NO_REFRESH_CLIENT, scopes: ['openid', 'offline_access'] },
    },
    openBrowser: false,
  });
});
afterAll(() => server.close());

async function signInAt(provider: string): Promise<Record<string, any>> {
  const started = (await server.call('oauth_authenticate_user', { provider, wait_seconds: 0 }))
    .structuredContent;
  await signIn(started?.authorization_url, { login: 'alice', followCallback: true });
  const done = await server.call('oauth_authenticate_user', { flow_id: started?.flow_id, wait_seconds: 5 });
  expect(done.structuredContent?.status).toBe('authenticated');
  return done.structuredContent as Record<string, any>;
}

describe('refresh_token_note', () => {
  it('says offline_access was not asked for, and the refresh error gives the same reason', async () => {
    const result = await signInAt('online');
    expect(result.session.has_refresh_token).toBe(false);
    expect(result.refresh_token_note).toMatch(
      /^offline_access was not asked for.*add "offline_access" to the provider's scopes/,
    );
    const refresh = await server.call('oauth_refresh_token', { session_id: result.session.session_id });
    expect(toolError(refresh).message).toMatch(/has no refresh token.*Why: offline_access was not asked for/);
  });

  it('points at the client when offline_access was asked for by a client not allowed the refresh_token grant', async () => {
    const result = await signInAt('restricted');
    expect(result.session.has_refresh_token).toBe(false);
    expect(result.refresh_token_note).toMatch(
      /(not allowed the refresh_token grant|clients allowed the refresh_token grant)/,
    );
  });

  it('is absent when the sign-in brought a refresh token', async () => {
    const result = await signInAt('offline');
    expect(result.session.has_refresh_token).toBe(true);
    expect(result).not.toHaveProperty('refresh_token_note');
  });
});
