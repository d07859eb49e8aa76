// OpenID Connect UserInfo (OIDC Core 5.3) for a session, its `sub` checked against the ID token's.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { resolveBound, STALE_SESSION_ADVICE } from '../sessions/issuer-binding.js';
import { findSession } from '../sessions/sessions.js';
import { dpopOption } from '../tokens/dpop.js';
import { parseChallenges, withSessionToken } from './token-rejection.js';

type Attempt = { claims: client.UserInfoResponse } | { error: unknown };

/** Whose userinfo: sessionId, else the latest session of the provider (default the defaultProvider). */
export interface UserInfoRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
}

/** The claims the userinfo endpoint returned for the session's subject. */
export interface UserInfoResult {
  session_id: string;
  provider: string;
  subject: string;
  /** Every claim the userinfo endpoint returned (sub, name, email, ...). */
  claims: Record<string, unknown>;
  /** true when the session's tokens were refreshed first (the access token was about to expire). */
  refreshed: boolean;
}

/**
 * Calls the OpenID Connect userinfo endpoint with a session's access token and checks the subject.
 *
 * @example
 * const { claims } = await userInfo(engine.ctx, { sessionId: 'ses_...' });
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function userInfo(ctx: EngineContext, request: UserInfoRequest): Promise<UserInfoResult> {
  const found = await findSession(ctx, request);
  if (!found.subject) {
    throw new OAuthToolError(
      'invalid_input',
      found.grant === 'client_credentials'
        ? `Session "${found.session_id}" is a client-credentials token: there is no user, so there is no userinfo. Use a signed-in user's session.`
        : `Session "${found.session_id}" has no ID token subject (it was not an OpenID Connect sign-in), so userinfo cannot be checked against it. Sign in again including the "openid" scope.`,
      {
        next:
          found.grant === 'client_credentials'
            ? { action: 'list_sessions' }
            : { action: 'sign_in', provider: found.provider, scopes: ['openid'] },
      },
    );
  }
  const provider = await resolveBound(ctx, found, `Session "${found.session_id}"`, STALE_SESSION_ADVICE);
  if (!provider.metadata.userinfo_endpoint) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" publishes no userinfo endpoint (it may be a plain OAuth server). The ID token claims of the session are all that is known about the user.`,
      { next: { action: 'list_sessions', provider: provider.name } },
    );
  }
  const subject = found.subject;
  let session = found;
  try {
    const outcome = await withSessionToken<Attempt>(
      ctx,
      found,
      async (current) => {
        session = current;
        try {
          const options = await dpopOption(provider.configuration, current.dpop_key);
          const claims = await client.fetchUserInfo(
            provider.configuration,
            current.access_token,
            subject,
            options,
          );
          return { claims };
        } catch (error) {
          return { error };
        }
      },
      // A token issued for an API (RFC 8707) is refused at userinfo however fresh: no refresh for that.
      (attempt, current) =>
        'error' in attempt && challengeStatus(attempt.error) === 401 && !current.resource
          ? parseChallenges(
              (attempt.error as client.WWWAuthenticateChallengeError).response.headers.get(
                'www-authenticate',
              ),
            )
          : undefined,
    );
    session = outcome.session;
    if ('error' in outcome.result) throw outcome.result.error;
    const { claims } = outcome.result;
    return {
      session_id: session.session_id,
      provider: session.provider,
      subject: claims.sub,
      claims: { ...claims },
      refreshed: outcome.refreshed,
    };
  } catch (error) {
    if (challengeStatus(error) !== undefined && session.resource) {
      throw new OAuthToolError(
        'invalid_input',
        `The userinfo endpoint rejected the access token of session "${session.session_id}": it was issued for the API ${session.resource} (RFC 8707 resource indicator) and carries only that API's scopes, so the authorization server does not accept it there. Use a session signed in without "resource" for userinfo, or read the ID token claims of the session.`,
        { cause: error, next: { action: 'list_sessions', session_id: session.session_id } },
      );
    }
    throw toToolError(error, {
      action: `fetching userinfo for session "${session.session_id}"`,
      provider: session.provider,
      sessionId: session.session_id,
    });
  }
}

/** The status of a Bearer challenge (RFC 6750 3.1: 401 invalid_token, 403 insufficient_scope), if that is what failed. */
function challengeStatus(error: unknown): number | undefined {
  const { code, status } = error as { code?: string; status?: number };
  return code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' ? status : undefined;
}
