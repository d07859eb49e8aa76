// Token revocation (RFC 7009): revoke a session's refresh and/or access token, then forget the session.

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
  revoked: { token_type_hint: string; token_sha256: string }[];
  session_id?: string;
  session_removed: boolean;
  /** Set when the session was stale: removed from the store without contacting any server. */
  stale_reason?: string;
}

/** Revokes tokens at the server (RFC 7009); a session left without a usable refresh token leaves the store. */
export async function revoke(ctx: EngineContext, request: RevocationRequest): Promise<RevocationResult> {
  if (request.token) {
    await assertMayActAsClient(ctx, request.provider, 'revoke tokens they pass in');
    learnPastedSecret(request.token);
    const provider = await ctx.registry.resolve(request.provider);
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
  const revoked: RevocationResult['revoked'] = [];
  // Refresh token first: at most servers revoking it also ends the grant's access tokens.
  if (which !== 'access_token' && session.refresh_token) {
    await revokeOne(provider, session.refresh_token, 'refresh_token');
    revoked.push({ token_type_hint: 'refresh_token', token_sha256: fingerprint(session.refresh_token) });
  }
  if (which !== 'refresh_token') {
    await revokeOne(provider, session.access_token, 'access_token');
    revoked.push({ token_type_hint: 'access_token', token_sha256: fingerprint(session.access_token) });
  }
  if (which === 'refresh_token' && !session.refresh_token) {
    throw new OAuthToolError(
      'invalid_input',
      `Session "${session.session_id}" has no refresh token to revoke. Use which: "access_token" or "all".`,
    );
  }
  const removeSession = which === 'all' || which === 'refresh_token' || !session.refresh_token;
  if (removeSession) await ctx.vault.deleteSession(session.session_id);
  return { revoked, session_id: session.session_id, session_removed: removeSession };
}

async function revokeOne(
  provider: Awaited<ReturnType<EngineContext['registry']['resolve']>>,
  token: string,
  hint: string | undefined,
): Promise<void> {
  if (!provider.metadata.revocation_endpoint) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" has no revocation endpoint (RFC 7009), so tokens cannot be revoked there. The session was kept.`,
    );
  }
  try {
    await client.tokenRevocation(provider.configuration, token, hint ? { token_type_hint: hint } : undefined);
  } catch (error) {
    throw toToolError(error, `revoking a token at provider "${provider.name}"`);
  }
}
