// Token revocation (RFC 7009): revoke a session's refresh and/or access token, then forget the session;
// where the server cannot revoke, signing out forgets the session here and says the tokens stay valid.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnPastedSecret } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { fingerprint } from '../fingerprint.js';
import { resolveBound, STALE_SESSION_ADVICE, staleReason } from '../sessions/issuer-binding.js';
import { findSession } from '../sessions/sessions.js';
import { assertMayActAsClient } from './shared-clients.js';

/** What to revoke: a session's tokens (which default all) or a raw token. */
export interface RevocationRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  /** A raw token to revoke instead of a session's. */
  token?: string | undefined;
  tokenTypeHint?: 'access_token' | 'refresh_token' | undefined;
  /** Which of a session's tokens to revoke. Default `all`. */
  which?: 'access_token' | 'refresh_token' | 'all' | undefined;
}

/** The revoked tokens as fingerprints, and whether the session left the store. */
export interface RevocationResult {
  revoked: { token_type_hint: string; token_sha256: string; already_invalid?: boolean }[];
  session_id?: string;
  session_removed: boolean;
  /** Set when the session was stale: removed from the store without contacting any server. */
  stale_reason?: string;
  /** Set when the server has no revocation endpoint: removed from the store only, its tokens still valid there. */
  not_revoked_reason?: string;
}

type Provider = Awaited<ReturnType<EngineContext['registry']['resolve']>>;

/**
 * Revokes tokens at the server (RFC 7009); a session left without a usable refresh token leaves the store.
 *
 * @example
 * await revoke(engine.ctx, { sessionId: 'ses_...' });
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revoke(ctx: EngineContext, request: RevocationRequest): Promise<RevocationResult> {
  if (request.token) {
    await assertMayActAsClient(ctx, request.provider, 'revoke tokens they pass in');
    learnPastedSecret(request.token);
    const provider = await ctx.registry.resolve(request.provider);
    if (!provider.metadata.revocation_endpoint) {
      throw new OAuthToolError(
        'not_configured',
        `Provider "${provider.name}" has no revocation endpoint (RFC 7009), so the token cannot be revoked there: it stays valid until it expires.`,
      );
    }
    await revokeOne(provider, request.token, request.tokenTypeHint);
    return {
      revoked: [
        { token_type_hint: request.tokenTypeHint ?? 'unknown', token_sha256: fingerprint(request.token) },
      ],
      session_removed: false,
    };
  }
  // A stale session (its provider now names another server or client) is only deleted here: its tokens
  // never go to the new server, and the old one is no longer configured.
  const session = await findSession(ctx, request, { allowStale: Boolean(request.sessionId) });
  const stale = await staleReason(ctx.registry, session);
  if (stale) {
    await ctx.vault.deleteSession(session.session_id);
    return { revoked: [], session_id: session.session_id, session_removed: true, stale_reason: stale };
  }
  const provider = await resolveBound(ctx, session, `Session "${session.session_id}"`, STALE_SESSION_ADVICE);
  const which = request.which ?? 'all';
  if (which === 'refresh_token' && !session.refresh_token) {
    throw new OAuthToolError(
      'invalid_input',
      `Session "${session.session_id}" has no refresh token to revoke. Use which: "access_token" or "all".`,
    );
  }
  // Signing out still works: the session leaves this store, and the caller is told what that does not do.
  if (!provider.metadata.revocation_endpoint) {
    await ctx.vault.deleteSession(session.session_id);
    return {
      revoked: [],
      session_id: session.session_id,
      session_removed: true,
      not_revoked_reason: `Provider "${provider.name}" has no revocation endpoint (RFC 7009): the session was removed here, but its tokens were not revoked and stay valid at the server until they expire.`,
    };
  }
  const revoked: RevocationResult['revoked'] = [];
  // Refresh token first: at most servers revoking it also ends the grant's access tokens.
  const refreshRevoked = which !== 'access_token' && Boolean(session.refresh_token);
  if (refreshRevoked && session.refresh_token) {
    await revokeOne(provider, session.refresh_token, 'refresh_token');
    revoked.push({ token_type_hint: 'refresh_token', token_sha256: fingerprint(session.refresh_token) });
  }
  if (which !== 'refresh_token') {
    const accessToken = { token_type_hint: 'access_token', token_sha256: fingerprint(session.access_token) };
    try {
      await revokeOne(provider, session.access_token, 'access_token');
      revoked.push(accessToken);
    } catch (error) {
      if (!(refreshRevoked && endedWithItsGrant(error))) throw error;
      ctx.registry.noteDeviation(
        'revocation-400',
        provider.metadata.revocation_endpoint,
        `answered the revocation of an access token whose refresh token was just revoked with 400 ${error.oauthError} instead of 200 (RFC 7009 section 2.1: revoking the refresh token may end its access tokens; section 2.2: an invalid token is answered with 200)`,
      );
      revoked.push({ ...accessToken, already_invalid: true });
    }
  }
  const removeSession = which === 'all' || which === 'refresh_token' || !session.refresh_token;
  if (removeSession) await ctx.vault.deleteSession(session.session_id);
  return { revoked, session_id: session.session_id, session_removed: removeSession };
}

/**
 * A 400 invalid_request or invalid_token: what some servers answer for an access token that the
 * revocation of its refresh token already ended, instead of RFC 7009's 200.
 */
function endedWithItsGrant(error: unknown): error is OAuthToolError {
  const cause = error instanceof OAuthToolError ? error.cause : undefined;
  return (
    cause instanceof client.ResponseBodyError &&
    cause.status === 400 &&
    (cause.error === 'invalid_request' || cause.error === 'invalid_token')
  );
}

async function revokeOne(provider: Provider, token: string, hint: string | undefined): Promise<void> {
  try {
    await client.tokenRevocation(provider.configuration, token, hint ? { token_type_hint: hint } : undefined);
  } catch (error) {
    throw toToolError(error, `revoking a token at provider "${provider.name}"`);
  }
}
