// Sessions: turning token responses into stored records, the public view of a session, and choosing one.

import type * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnSecretsOf } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { fingerprint } from '../fingerprint.js';
import type { DPoPKey, Grant, StoredSession } from '../repository/records.js';
import { STORE_SCHEMA_VERSION } from '../repository/records.js';
import { newId } from '../repository/vault.js';
import type { SessionView } from '../views.js';
import { STALE_SESSION_ADVICE, staleChecker, staleError, staleReason } from './issuer-binding.js';

/** Tools that use a session refresh it first when its access token expires within this many seconds. */
export const REFRESH_MARGIN_SECONDS = 60;

/** Longest token lifetime believed from an AS's expires_in (one year). */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

export function toSessionView(
  session: StoredSession,
  exposeTokens: boolean,
  now = Date.now(),
  stale?: string,
): SessionView {
  return {
    session_id: session.session_id,
    provider: session.provider,
    grant: session.grant,
    ...(session.subject ? { subject: session.subject } : {}),
    scope: session.scope,
    ...(session.resource ? { resource: session.resource } : {}),
    token_type: session.token_type,
    ...(session.expires_at ? { expires_at: session.expires_at } : {}),
    expired: session.expires_at ? Date.parse(session.expires_at) <= now : false,
    has_refresh_token: Boolean(session.refresh_token),
    ...(session.needs_reauth ? { needs_reauth: true } : {}),
    ...(stale ? { stale: true, stale_reason: stale } : {}),
    access_token_sha256: fingerprint(session.access_token),
    ...(session.exchanged_from ? { exchanged_from: session.exchanged_from } : {}),
    ...(session.issued_token_type ? { issued_token_type: session.issued_token_type } : {}),
    ...(session.id_token_claims ? { id_token_claims: session.id_token_claims } : {}),
    ...(session.completed_by ? { completed_by: session.completed_by } : {}),
    ...(session.completed_at ? { completed_at: session.completed_at } : {}),
    ...(exposeTokens
      ? {
          access_token: session.access_token,
          ...(session.refresh_token ? { refresh_token: session.refresh_token } : {}),
          ...(session.id_token ? { id_token: session.id_token } : {}),
        }
      : {}),
  };
}

/** The view of a session as this context may show it (raw tokens only with exposeTokens). */
export function viewSession(ctx: EngineContext, session: StoredSession): SessionView {
  return toSessionView(session, ctx.exposeTokens);
}

/**
 * Every stored session, stale ones included and marked: listing them is how they can be found and removed.
 *
 * @example
 * const sessions = await listSessions(engine.ctx, { provider: 'work' });
 * @see README.md#where-tokens-are-kept
 */
export async function listSessions(
  ctx: EngineContext,
  filter: { provider?: string | undefined },
): Promise<SessionView[]> {
  return listedViews(ctx, await ctx.vault.listSessions(filter));
}

/** The views of listed sessions, each stale one marked (a listing shows them, so they can be removed). */
export function listedViews(ctx: EngineContext, sessions: StoredSession[]): Promise<SessionView[]> {
  const now = Date.now();
  const stale = staleChecker(ctx.registry);
  return Promise.all(
    sessions.map(async (session) => toSessionView(session, ctx.exposeTokens, now, await stale(session))),
  );
}

export interface NewSessionInput {
  provider: string;
  issuer: string;
  clientId: string;
  grant: Grant;
  requestedScope: string;
  resource?: string | undefined;
  tokens: client.TokenEndpointResponse & Partial<client.TokenEndpointResponseHelpers>;
  /** The DPoP key the token request was signed with; kept only when the token came back DPoP-bound. */
  dpopKey?: DPoPKey | undefined;
  now?: number;
}

export function sessionFromTokens(input: NewSessionInput): StoredSession {
  learnSecretsOf(input.tokens);
  const now = input.now ?? Date.now();
  const claims = input.tokens.id_token ? input.tokens.claims?.() : undefined;
  const iso = new Date(now).toISOString();
  return {
    v: STORE_SCHEMA_VERSION,
    session_id: newId('ses'),
    provider: input.provider,
    issuer: input.issuer,
    client_id: input.clientId,
    grant: input.grant,
    ...(claims?.sub ? { subject: claims.sub } : {}),
    scope: input.tokens.scope ?? input.requestedScope,
    ...(input.tokens.scope && input.tokens.scope !== input.requestedScope
      ? { requested_scope: input.requestedScope }
      : {}),
    ...(input.resource ? { resource: input.resource } : {}),
    token_type: normaliseTokenType(input.tokens.token_type),
    ...expiresAt(input.tokens.expires_in, now),
    access_token: input.tokens.access_token,
    ...(input.tokens.refresh_token ? { refresh_token: input.tokens.refresh_token } : {}),
    ...(input.tokens.id_token ? { id_token: input.tokens.id_token } : {}),
    ...(claims ? { id_token_claims: { ...claims } } : {}),
    ...(input.dpopKey && isDPoPBound(input.tokens.token_type) ? { dpop_key: input.dpopKey } : {}),
    created_at: iso,
    updated_at: iso,
  };
}

/** Applies a refresh response; a response without a new refresh token keeps the old one (RFC 6749 6). */
export function sessionAfterRefresh(
  session: StoredSession,
  tokens: client.TokenEndpointResponse & Partial<client.TokenEndpointResponseHelpers>,
  now = Date.now(),
): StoredSession {
  learnSecretsOf(tokens);
  const claims = tokens.id_token ? tokens.claims?.() : undefined;
  const { expires_at: _previousExpiry, needs_reauth: _previousFlag, ...rest } = session;
  return {
    ...rest,
    scope: tokens.scope ?? session.scope,
    token_type: normaliseTokenType(tokens.token_type),
    ...expiresAt(tokens.expires_in, now),
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? session.refresh_token,
    ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
    ...(claims ? { id_token_claims: { ...claims } } : {}),
    updated_at: new Date(now).toISOString(),
  };
}

function expiresAt(expiresIn: number | undefined, now: number): { expires_at?: string } {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) return {};
  // An AS's lifetime is a claim, not a promise: a year at most, so no expiry lies beyond a sane horizon.
  const seconds = Math.min(Math.max(0, expiresIn), MAX_TOKEN_LIFETIME_SECONDS);
  return { expires_at: new Date(now + seconds * 1000).toISOString() };
}

/** Whether a token response is DPoP-bound (RFC 9449), so its key must stay with the session. */
export function isDPoPBound(tokenType: string | undefined): boolean {
  return tokenType?.toLowerCase() === 'dpop';
}

function normaliseTokenType(type: string): string {
  if (type.toLowerCase() === 'bearer') return 'Bearer';
  return isDPoPBound(type) ? 'DPoP' : type;
}

/** Seconds of validity left, or Infinity when the AS gave no expiry. */
export function secondsLeft(session: StoredSession, now = Date.now()): number {
  return session.expires_at ? (Date.parse(session.expires_at) - now) / 1000 : Number.POSITIVE_INFINITY;
}

/** The session a request names, or else the latest usable session of the given (or default) provider. */
export async function findSession(
  ctx: EngineContext,
  request: { sessionId?: string | undefined; provider?: string | undefined },
  options: { allowStale?: boolean } = {},
): Promise<StoredSession> {
  // An unknown provider is an input mistake ("did you mean"), not "no session"; the canonical name finds sessions.
  const canonical = request.provider ? (await ctx.registry.settings(request.provider)).name : undefined;
  if (request.sessionId) {
    const session = await ctx.vault.getSession(request.sessionId);
    if (!session) {
      throw new OAuthToolError(
        'not_authenticated',
        `No session "${request.sessionId}": see which sessions exist, or sign in.`,
        { next: { action: 'list_sessions' } },
      );
    }
    if (canonical && session.provider !== canonical) {
      throw new OAuthToolError(
        'invalid_input',
        `Session "${request.sessionId}" belongs to provider "${session.provider}", not "${canonical}". Omit "provider" or pass the matching one.`,
      );
    }
    const stale = options.allowStale ? undefined : await staleReason(ctx.registry, session);
    if (stale) throw staleError(`Session "${session.session_id}"`, stale, STALE_SESSION_ADVICE);
    return session;
  }
  let provider = canonical;
  if (!provider) {
    try {
      provider = (await ctx.registry.settings()).name;
    } catch {
      // several providers and no default: any provider's latest session will do
    }
  }
  const usable: StoredSession[] = [];
  const stale: string[] = [];
  const isStale = staleChecker(ctx.registry);
  for (const session of await ctx.vault.listSessions(provider ? { provider } : {})) {
    if (await isStale(session)) stale.push(session.session_id);
    else usable.push(session);
  }
  // User sessions first: a client-credentials token only when nothing else exists.
  const users = usable.filter((s) => s.grant !== 'client_credentials');
  const chosen = (users.length > 0 ? users : usable).at(-1);
  if (provider && ctx.onBehalfOf && (!chosen || !lastsOnItsOwn(chosen))) {
    // HTTP mode, on-behalf-of: the caller's own token is exchanged for one (again, once it can no longer be refreshed).
    if ((await ctx.registry.settings(provider)).settings.onBehalfOf) return ctx.onBehalfOf(provider);
  }
  if (!chosen) {
    throw new OAuthToolError(
      'not_authenticated',
      `No session${provider ? ` for provider "${provider}"` : ''}${stale.length ? ` except stale ones from a server or client it no longer names (${stale.join(', ')}), which are never used` : ''}. Sign in (or, for a confidential client, get a machine token).`,
      { next: { action: 'sign_in', ...(provider ? { provider } : {}) } },
    );
  }
  return chosen;
}

/** A session that can be refreshed or needs no refresh yet: no new sign-in or exchange is needed. */
function lastsOnItsOwn(session: StoredSession): boolean {
  return (
    !session.needs_reauth && (Boolean(session.refresh_token) || secondsLeft(session) > REFRESH_MARGIN_SECONDS)
  );
}
