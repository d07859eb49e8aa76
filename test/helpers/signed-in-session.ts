// Real signed-in sessions for refresh/userinfo/API tests: a code flow with PKCE driven through the
// headless user agent against the real oidc-provider, stored as the sign-in tool would store them.

import * as oidc from 'openid-client';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { Vault } from '../../src/auth/repository/vault.js';
import { sessionFromTokens } from '../../src/auth/sessions/sessions.js';
import type { RunningAuthorizationServer } from '../../src/demo/authorization-server.js';
import type { TokenStore } from '../../src/store/token-store.js';
import { signIn } from './user-agent.js';

export const PROVIDER = 'demo';

/** The confidential demo client as an openid-client Configuration (loopback http allowed). */
export function confidentialClient(as: RunningAuthorizationServer): Promise<oidc.Configuration> {
  const { clientId, clientSecret } = as.clients.confidential;
  return oidc.discovery(new URL(as.issuer), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/**
 * Signs `login` in with authorization code + PKCE (prompt=consent, so offline_access yields a refresh
 * token) and stores the session in `store` as the sign-in tool would.
 */
export async function signedInSession(
  as: RunningAuthorizationServer,
  store: TokenStore,
  options: { login?: string; scope?: string; resource?: string } = {},
): Promise<StoredSession> {
  const config = await confidentialClient(as);
  const scope = options.scope ?? 'openid profile email offline_access';
  const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = scope.split(' ').includes('openid') ? oidc.randomNonce() : undefined;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    prompt: 'consent',
    state,
    ...(nonce ? { nonce } : {}),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(options.resource ? { resource: options.resource } : {}),
  });
  const { finalUrl } = await signIn(url.href, { login: options.login ?? 'alice' });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(finalUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    ...(nonce ? { expectedNonce: nonce } : {}),
  });
  const session = sessionFromTokens({
    provider: PROVIDER,
    issuer: as.issuer,
    clientId: as.clients.confidential.clientId,
    grant: 'authorization_code',
    requestedScope: scope,
    resource: options.resource,
    tokens,
  });
  await new Vault(store).putSession(session);
  return session;
}

/** The config of a server whose provider "demo" is the confidential demo client. */
export function demoConfig(as: RunningAuthorizationServer, extra: Record<string, unknown> = {}) {
  const { clientId, clientSecret } = as.clients.confidential;
  return {
    providers: {
      [PROVIDER]: {
        issuer: as.issuer,
        clientId,
        clientSecret,
        scopes: ['openid', 'profile', 'email', 'offline_access'],
      },
    },
    defaultProvider: PROVIDER,
    ...extra,
  };
}
