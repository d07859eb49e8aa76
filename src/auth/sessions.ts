// Sessions: turning token responses into stored records, the public view of a session, and choosing one.

import type * as client from 'openid-client';
import { z } from 'zod';
import type { DPoPKey, Grant, StoredSession } from '../store/records.js';
import { STORE_SCHEMA_VERSION } from '../store/records.js';
import type { Vault } from '../store/vault.js';
import { newId } from '../store/vault.js';
import { isDPoPBound } from './dpop.js';
import type { EngineContext } from './engine-context.js';
import { OAuthToolError } from './errors.js';
import { fingerprint } from './secret.js';

/** The session shape of every tool output (design: "A session in any output"). */
export const sessionViewSchema = z.object({
  session_id: z.string(),
  provider: z.string(),
  grant: z.string(),
  subject: z.string().optional(),
  scope: z.string(),
  resource: z.string().optional(),
  token_type: z.string(),
  expires_at: z.string().optional().describe('ISO 8601; absent when the server gave no expiry'),
  expired: z.boolean(),
  has_refresh_token: z.boolean(),
  needs_reauth: z.boolean().optional().describe('true when the refresh token was rejected: sign in again'),
  access_token_sha256: z.string().describe('first 16 hex chars of the SHA-256 of the access token'),
  id_token_claims: z.record(z.string(), z.unknown()).optional(),
  completed_by: z
    .string()
    .optional()
    .describe('User sign-ins: who completed the sign-in (the ID token subject the server signed in)'),
  completed_at: z.string().optional().describe('User sign-ins: when the sign-in was completed (ISO 8601)'),
  access_token: z.string().optional().describe('only when the config sets exposeTokens'),
  refresh_token: z.string().optional().describe('only when the config sets exposeTokens'),
  id_token: z.string().optional().describe('only when the config sets exposeTokens'),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export function toSessionView(session: StoredSession, exposeTokens: boolean, now = Date.now()): SessionView {
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
    access_token_sha256: fingerprint(session.access_token),
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

export async function listSessions(
  ctx: EngineContext,
  filter: { provider?: string | undefined },
): Promise<SessionView[]> {
  return (await ctx.vault.listSessions(filter)).map((session) => viewSession(ctx, session));
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
  return typeof expiresIn === 'number' ? { expires_at: new Date(now + expiresIn * 1000).toISOString() } : {};
}

function normaliseTokenType(type: string): string {
  if (type.toLowerCase() === 'bearer') return 'Bearer';
  return isDPoPBound(type) ? 'DPoP' : type;
}

/** Seconds of validity left, or Infinity when the AS gave no expiry. */
export function secondsLeft(session: StoredSession, now = Date.now()): number {
  return session.expires_at ? (Date.parse(session.expires_at) - now) / 1000 : Number.POSITIVE_INFINITY;
}

/**
 * The session a tool should use: the given `session_id`, else the most recently updated user
 * session of the provider (client-credentials sessions only when nothing else exists).
 */
export async function pickSession(
  vault: Vault,
  options: { sessionId?: string | undefined; provider?: string | undefined },
): Promise<StoredSession> {
  if (options.sessionId) {
    const session = await vault.getSession(options.sessionId);
    if (!session) {
      throw new OAuthToolError(
        'not_authenticated',
        `No session "${options.sessionId}". List sessions with oauth_list_sessions, or sign in with oauth_authenticate_user.`,
      );
    }
    if (options.provider && session.provider !== options.provider) {
      throw new OAuthToolError(
        'invalid_input',
        `Session "${options.sessionId}" belongs to provider "${session.provider}", not "${options.provider}". Omit "provider" or pass the matching one.`,
      );
    }
    return session;
  }
  const sessions = await vault.listSessions(options.provider ? { provider: options.provider } : {});
  const users = sessions.filter((s) => s.grant !== 'client_credentials');
  const chosen = (users.length > 0 ? users : sessions).at(-1);
  if (!chosen) {
    throw new OAuthToolError(
      'not_authenticated',
      `No session${options.provider ? ` for provider "${options.provider}"` : ''}. Sign in with oauth_authenticate_user or get a machine token with oauth_client_credentials.`,
    );
  }
  return chosen;
}

/** The session a request names, or else the latest of the given (or default) provider. */
export async function findSession(
  ctx: EngineContext,
  request: { sessionId?: string | undefined; provider?: string | undefined },
): Promise<StoredSession> {
  if (request.sessionId) return pickSession(ctx.vault, request);
  let provider = request.provider;
  if (!provider) {
    try {
      provider = (await ctx.registry.settings()).name;
    } catch {
      // several providers and no default: any provider's latest session will do
    }
  }
  return pickSession(ctx.vault, { provider });
}
