// Refresh token grant (RFC 6749 section 6): single-flight per session in this process and, through a
// store lock, across processes sharing one store; rotation-safe and `invalid_grant`-aware.

import * as client from 'openid-client';
import type { ProviderConfig } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import type { TokenStore } from '../../store/token-store.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { fingerprint } from '../fingerprint.js';
import { tokenParameters } from '../provider/parameters.js';
import type { ServerMetadata } from '../provider/registry.js';
import type { StoredSession } from '../repository/records.js';
import { resolveBound, STALE_SESSION_ADVICE } from '../sessions/issuer-binding.js';
import {
  findSession,
  REFRESH_MARGIN_SECONDS,
  secondsLeft,
  sessionAfterRefresh,
  viewSession,
} from '../sessions/sessions.js';
import type { SessionView } from '../views.js';
import { dpopOption } from './dpop.js';
import { whyNoRefreshToken } from './refresh-token-note.js';

/** Which session to refresh: sessionId, else the latest session of the provider (default the defaultProvider). */
export interface RefreshRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  /** Refresh even when the access token is still fresh. Default true: an explicit request is honoured. */
  force?: boolean | undefined;
}

/** The session after the refresh, the one before it, and what happened. */
export interface RefreshResult {
  session: StoredSession;
  /**
   * `refreshed`: new tokens came from the AS for this call (or for a concurrent call it joined);
   * `already_refreshed`: another caller or process refreshed the session first, and its tokens are used;
   * `still_fresh`: nothing was needed (only without `force`).
   */
  outcome: 'refreshed' | 'already_refreshed' | 'still_fresh';
  /** The access token the caller had before, so it can tell whether it changed. */
  previous: StoredSession;
}

/** What a caller outside auth/ learns of a refresh: the session view and fingerprints, never the tokens. */
export interface RefreshReport {
  session: SessionView;
  outcome: RefreshResult['outcome'];
  access_token_changed: boolean;
  refresh_token_rotated: boolean;
  previous_access_token_sha256: string;
}

/** In-flight refreshes by store and session: concurrent callers in this process share one request. */
const inFlight = new WeakMap<TokenStore, Map<string, Promise<RefreshResult>>>();

/** Refreshes a session with its refresh token; concurrent refreshes of one session share one request. */
export async function refreshSession(ctx: EngineContext, request: RefreshRequest): Promise<RefreshResult> {
  const session = await findSession(ctx, request);
  return refreshShared(ctx, session, request.force ?? true);
}

/**
 * The refresh operation of the engine's API: refreshes like `refreshSession` and reports it as a view.
 *
 * @example
 * const { session, access_token_changed } = await refreshToken(engine.ctx, { provider: 'work' });
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshToken(ctx: EngineContext, request: RefreshRequest): Promise<RefreshReport> {
  const { session, outcome, previous } = await refreshSession(ctx, request);
  return {
    session: viewSession(ctx, session),
    outcome,
    access_token_changed: session.access_token !== previous.access_token,
    refresh_token_rotated: session.refresh_token !== previous.refresh_token,
    previous_access_token_sha256: fingerprint(previous.access_token),
  };
}

/**
 * The session, refreshed first when its access token expires within 60 s and it has a refresh
 * token; used by every tool that presents a session's access token.
 */
export async function ensureFreshSession(
  ctx: EngineContext,
  session: StoredSession,
): Promise<{ session: StoredSession; refreshed: boolean }> {
  if (secondsLeft(session) > REFRESH_MARGIN_SECONDS || !session.refresh_token) {
    return { session, refreshed: false };
  }
  if (session.needs_reauth) {
    if (secondsLeft(session) > 0) return { session, refreshed: false };
    throw needsReauthError(session);
  }
  const result = await refreshShared(ctx, session, false);
  return { session: result.session, refreshed: result.outcome !== 'still_fresh' };
}

/**
 * Refreshes because the access token in `used` was rejected by an API (HTTP 401), unless another
 * caller has already replaced it in the store.
 */
export async function refreshAfterRejection(ctx: EngineContext, used: StoredSession): Promise<StoredSession> {
  return (await refreshShared(ctx, used, true)).session;
}

function refreshShared(ctx: EngineContext, seen: StoredSession, force: boolean): Promise<RefreshResult> {
  let sessions = inFlight.get(ctx.vault.store);
  if (!sessions) {
    sessions = new Map();
    inFlight.set(ctx.vault.store, sessions);
  }
  const running = sessions.get(seen.session_id);
  if (running) return running.then((result) => ({ ...result, previous: seen }));
  const started = refreshLocked(ctx, seen, force).finally(() => sessions.delete(seen.session_id));
  sessions.set(seen.session_id, started);
  return started;
}

async function refreshLocked(
  ctx: EngineContext,
  seen: StoredSession,
  force: boolean,
): Promise<RefreshResult> {
  const provider = await resolveBound(ctx, seen, `Session "${seen.session_id}"`, STALE_SESSION_ADVICE);
  // Waiting must outlast another holder's refresh request; staleness must too, or a slow AS would
  // let a second process refresh with a token that is being rotated.
  const release = await ctx.vault.lock(`refresh:${seen.session_id}`, {
    waitMs: ctx.timeoutMs + 5_000,
    staleMs: Math.max(30_000, ctx.timeoutMs * 3),
  });
  try {
    // Another process may have rotated the refresh token while we waited: the store is the truth.
    const current = await ctx.vault.getSession(seen.session_id);
    if (!current) {
      throw new OAuthToolError(
        'not_authenticated',
        `Session "${seen.session_id}" is no longer in the store (revoked or removed meanwhile).`,
        { next: { action: 'sign_in', provider: seen.provider } },
      );
    }
    if (current.access_token !== seen.access_token && !current.needs_reauth) {
      return { session: current, outcome: 'already_refreshed', previous: seen };
    }
    if (!force && secondsLeft(current) > REFRESH_MARGIN_SECONDS) {
      return { session: current, outcome: 'still_fresh', previous: seen };
    }
    if (current.needs_reauth) throw needsReauthError(current);
    if (!current.refresh_token) throw noRefreshTokenError(current, provider.metadata);

    let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      // Never aborted by a caller's cancellation: once the AS rotates the refresh token, the
      // response is the only copy of the new one and must reach the store.
      tokens = await client.refreshTokenGrant(
        provider.configuration,
        current.refresh_token,
        tokenParameters(provider.settings, refreshParameters(provider.settings, current)),
        await dpopOption(provider.configuration, current.dpop_key),
      );
    } catch (error) {
      const mapped = toToolError(
        error,
        `refreshing session "${current.session_id}" at provider "${provider.name}"`,
      );
      if (mapped.oauthError === 'invalid_grant') {
        await ctx.vault.putSession({ ...current, needs_reauth: true, updated_at: new Date().toISOString() });
        throw needsReauthError(current, mapped);
      }
      throw mapped;
    }
    const subject = tokens.id_token ? tokens.claims()?.sub : undefined;
    if (subject && current.subject && subject !== current.subject) {
      // OIDC Core 12.2: a refreshed ID token must be about the same user; keep the old session as is.
      throw new OAuthToolError(
        'invalid_response',
        `Refreshing session "${current.session_id}" returned an ID token for a different user. The session was not changed; if this persists, sign in again.`,
        { next: { action: 'sign_in', provider: current.provider } },
      );
    }
    const refreshed = sessionAfterRefresh(current, tokens);
    await ctx.vault.putSession(refreshed);
    ctx.logger.info('refreshed a session', {
      session_id: current.session_id,
      provider: current.provider,
      refresh_token_rotated: refreshed.refresh_token !== current.refresh_token,
    });
    return { session: refreshed, outcome: 'refreshed', previous: seen };
  } finally {
    await release();
  }
}

/** The refresh request's own parameters: the session's resource, and its scope where the provider needs it. */
function refreshParameters(settings: ProviderConfig, session: StoredSession): Record<string, string> {
  // The scope the sign-in asked for: servers like Entra echo fewer scopes (no openid) than they granted.
  const scope = settings.refreshWithScope ? (session.requested_scope ?? session.scope) : undefined;
  return {
    ...(session.resource ? { resource: session.resource } : {}),
    ...(scope ? { scope } : {}),
  };
}

function needsReauthError(session: StoredSession, cause?: OAuthToolError): OAuthToolError {
  const description = cause?.oauthErrorDescription;
  return new OAuthToolError(
    'not_authenticated',
    `The refresh token of session "${session.session_id}" (provider "${session.provider}") was rejected by the authorization server${description ? ` (${description})` : ''}: it expired or was revoked.`,
    {
      next: { action: 'sign_in', provider: session.provider },
      ...(cause ? { oauthError: 'invalid_grant', cause } : {}),
      ...(description ? { oauthErrorDescription: description } : {}),
    },
  );
}

function noRefreshTokenError(session: StoredSession, metadata: ServerMetadata): OAuthToolError {
  return session.grant === 'client_credentials'
    ? new OAuthToolError(
        'invalid_input',
        `Session "${session.session_id}" is a client-credentials token, which has no refresh token: get a new one.`,
        { next: { action: 'client_credentials', provider: session.provider, force_new: true } },
      )
    : new OAuthToolError(
        'not_authenticated',
        `Session "${session.session_id}" has no refresh token, so it cannot be refreshed. Why: ${whyNoRefreshToken(metadata, { requested: session.requested_scope ?? session.scope, granted: session.scope })}`,
        { next: { action: 'sign_in', provider: session.provider } },
      );
}
