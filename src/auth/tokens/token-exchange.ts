// Token exchange (RFC 8693): a stored session's token, or the caller's inbound token in HTTP mode, traded at
// the same authorization server for a narrowed token of its own (audience, resource, scope), kept as a new session.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnSecret } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { tokenParameters } from '../provider/parameters.js';
import type { ResolvedProvider } from '../provider/registry.js';
import type { StoredSession } from '../repository/records.js';
import { resolveBound, STALE_SESSION_ADVICE } from '../sessions/issuer-binding.js';
import { findSession, secondsLeft, sessionFromTokens, viewSession } from '../sessions/sessions.js';
import type { SessionView } from '../views.js';
import { grantClientCredentials } from './client-credentials.js';
import { type DelegationClaims, delegationClaims } from './delegation-claims.js';
import { dpopOption, newDPoPKey } from './dpop.js';
import { assertInboundTokenDestination } from './inbound-token.js';
import { ensureFreshSession } from './refresh.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 section 3: the token type identifiers, by the short names tools use. */
export const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  refresh_token: 'urn:ietf:params:oauth:token-type:refresh_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;
export type TokenTypeName = keyof typeof TOKEN_TYPES;

/** What is exchanged: a stored session's access or ID token, or the caller's own inbound bearer token (never stored). */
export type ExchangeSubject =
  | { kind: 'session'; sessionId?: string | undefined; tokenType?: 'access_token' | 'id_token' | undefined }
  | { kind: 'caller'; token: string };

export interface TokenExchangeRequest {
  /** The provider to exchange at; with a session subject, default (and required to be) the session's provider. */
  provider?: string | undefined;
  subject: ExchangeSubject;
  /** RFC 8693 `audience`: logical names of the target services. */
  audience?: string[] | undefined;
  /** RFC 8707 `resource`: absolute URIs of the target services. */
  resource?: string[] | undefined;
  /** A narrowed scope; default whatever the server grants for the target. */
  scopes?: string[] | undefined;
  /** Default access_token. */
  requestedTokenType?: TokenTypeName | undefined;
  /** Send the client's own client-credentials token as `actor_token` (a delegation, `act` in the result). */
  actor?: boolean | undefined;
}

/** What a tool shows of an exchange: the new session's view, what was issued, and the delegation claims read back. */
export interface TokenExchangeReport {
  session: SessionView;
  issued_token_type: string;
  exchanged_from: string;
  claims?: DelegationClaims;
}

/**
 * Token exchange (RFC 8693): a session's token traded at its authorization server for a narrowed token
 * of its own, kept as a new session and reported as a view (raw tokens only with exposeTokens).
 *
 * @example
 * const { session, claims } = await exchangeToken(engine.ctx, {
 *   subject: { kind: 'session', sessionId: 'ses_...' },
 *   audience: ['https://reports.example.com'],
 *   scopes: ['reports:read'],
 * });
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export async function exchangeToken(
  ctx: EngineContext,
  request: TokenExchangeRequest,
): Promise<TokenExchangeReport> {
  const session = await grantTokenExchange(ctx, request);
  const claims = delegationClaims(session.access_token);
  return {
    session: viewSession(ctx, session),
    issued_token_type: session.issued_token_type ?? TOKEN_TYPES.access_token,
    exchanged_from: session.exchanged_from ?? 'caller',
    ...(claims ? { claims } : {}),
  };
}

/** The exchange for library callers and on-behalf-of: the stored session holding the issued token. */
export async function grantTokenExchange(
  ctx: EngineContext,
  request: TokenExchangeRequest,
): Promise<StoredSession> {
  const { provider, subjectToken, subjectTokenType, from, subjectSession } = await subjectOf(ctx, request);
  assertGrantOffered(provider);
  const parameters = new URLSearchParams(
    tokenParameters(provider.settings, request.scopes?.length ? { scope: request.scopes.join(' ') } : {}),
  );
  parameters.set('subject_token', subjectToken);
  parameters.set('subject_token_type', subjectTokenType);
  parameters.set('requested_token_type', TOKEN_TYPES[request.requestedTokenType ?? 'access_token']);
  // The provider's tokenParams may name an audience or resource; the request's own replace them.
  if (request.audience?.length) parameters.delete('audience');
  if (request.resource?.length) parameters.delete('resource');
  for (const audience of request.audience ?? []) parameters.append('audience', audience);
  for (const resource of request.resource ?? []) parameters.append('resource', resource);
  if (request.actor) {
    const actor = await grantClientCredentials(ctx, { provider: provider.name });
    parameters.set('actor_token', actor.session.access_token);
    parameters.set('actor_token_type', TOKEN_TYPES.access_token);
  }

  const dpopKey = provider.settings.dpop ? await newDPoPKey() : undefined;
  let tokens: Awaited<ReturnType<typeof client.genericGrantRequest>>;
  try {
    tokens = await client.genericGrantRequest(
      provider.configuration,
      TOKEN_EXCHANGE_GRANT,
      parameters,
      await dpopOption(provider.configuration, dpopKey),
    );
  } catch (error) {
    throw exchangeError(
      toToolError(error, `exchanging a token at provider "${provider.name}"`),
      provider.name,
    );
  }
  const issued = issuedTokenType(tokens.issued_token_type, provider.name);
  const base = sessionFromTokens({
    provider: provider.name,
    issuer: provider.metadata.issuer,
    clientId: provider.configuration.clientMetadata().client_id,
    grant: 'token_exchange',
    requestedScope: request.scopes?.join(' ') ?? '',
    resource: request.resource?.[0],
    tokens,
    dpopKey,
  });
  const subject = base.subject ?? subjectSession?.subject ?? delegationClaims(base.access_token)?.sub;
  const session: StoredSession = {
    ...base,
    ...(subject ? { subject } : {}),
    issued_token_type: issued,
    exchanged_from: from,
  };
  await ctx.vault.putSession(session);
  ctx.logger.info('exchanged a token', {
    session_id: session.session_id,
    provider: provider.name,
    exchanged_from: from,
    issued_token_type: issued,
  });
  return session;
}

async function subjectOf(ctx: EngineContext, request: TokenExchangeRequest) {
  const { subject } = request;
  if (subject.kind === 'caller') {
    learnSecret(subject.token);
    const provider = await ctx.registry.resolve(request.provider);
    assertInboundTokenDestination(ctx, provider);
    return {
      provider,
      subjectToken: subject.token,
      subjectTokenType: TOKEN_TYPES.access_token,
      from: 'caller',
      subjectSession: undefined,
    };
  }
  const found = await findSession(ctx, { sessionId: subject.sessionId, provider: request.provider });
  // A session's token goes only to the server that issued it: the exchange runs at the session's own provider.
  const provider = await resolveBound(ctx, found, `Session "${found.session_id}"`, STALE_SESSION_ADVICE);
  if (subject.tokenType === 'id_token') {
    if (!found.id_token) {
      throw new OAuthToolError(
        'invalid_input',
        `Session "${found.session_id}" has no ID token (it was not an OpenID Connect sign-in). Exchange its access token instead: omit subject_token_type.`,
      );
    }
    return {
      provider,
      subjectToken: found.id_token,
      subjectTokenType: TOKEN_TYPES.id_token,
      from: found.session_id,
      subjectSession: found,
    };
  }
  const { session } = await ensureFreshSession(ctx, found);
  if (secondsLeft(session) <= 0) {
    throw new OAuthToolError(
      'not_authenticated',
      `The access token of session "${session.session_id}" has expired and the session has no refresh token, so there is nothing valid to exchange. Sign the user in again, then exchange the new session's token.`,
      { next: { action: 'sign_in', provider: session.provider } },
    );
  }
  return {
    provider,
    subjectToken: session.access_token,
    subjectTokenType: TOKEN_TYPES.access_token,
    from: session.session_id,
    subjectSession: session,
  };
}

/** A server whose metadata lists grant types without `grant` is not asked; one that lists none may still offer it. */
export function assertGrantOffered(
  provider: ResolvedProvider,
  grant: string = TOKEN_EXCHANGE_GRANT,
  what = 'token exchange (RFC 8693)',
): void {
  const offered = provider.metadata.grant_types_supported;
  if (!offered || offered.includes(grant)) return;
  throw new OAuthToolError(
    'not_configured',
    `Provider "${provider.name}" does not offer ${what}: its authorization server's metadata lists grant_types_supported without ${grant}. Nothing was sent. Use a session of that server directly, or ask its operator to enable the grant for this client.`,
    { next: { action: 'discover', provider: provider.name } },
  );
}

/** The issued_token_type an RFC 8693 answer must carry (section 2.2.1): a short URI, kept as is. */
function issuedTokenType(value: unknown, provider: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 256 && /^[\x21-\x7E]+$/.test(value)) {
    return value;
  }
  throw new OAuthToolError(
    'invalid_response',
    `Provider "${provider}" answered the token exchange without a valid issued_token_type (RFC 8693 section 2.2.1 requires it), so the token was not kept. Check that the server implements RFC 8693.`,
  );
}

/** RFC 8693 section 2.2.2: the server's refusals, with what to send instead. */
const EXCHANGE_ADVICE: Record<string, string> = {
  invalid_target:
    'The server will not issue a token for that audience or resource to this client. Ask for a target it knows (see the audience or resource names its operator allows for this client), or omit audience and resource.',
  invalid_request:
    'The server refused the request as malformed or not allowed for this client (token exchange may not be enabled for it). Check subject_token_type and requested_token_type, and that the client may use token exchange.',
  unauthorized_client:
    'This client may not use token exchange at that server; its operator must allow the grant for the client.',
  invalid_grant:
    'The server did not accept the subject token (expired, revoked, or not meant for this exchange). Refresh or sign in again, then exchange the new token.',
  invalid_scope: 'Ask for a scope within what the subject token grants, or omit scopes.',
  unsupported_grant_type:
    'The server does not support token exchange (RFC 8693) at its token endpoint. Use a session of that server directly.',
};

function exchangeError(error: OAuthToolError, provider: string): OAuthToolError {
  const advice = error.oauthError ? EXCHANGE_ADVICE[error.oauthError] : undefined;
  if (!advice) return error;
  const description = error.oauthErrorDescription;
  return new OAuthToolError(
    error.code === 'oauth_error' ? 'oauth_error' : error.code,
    `Exchanging a token at provider "${provider}" failed: the authorization server answered "${error.oauthError}"${description ? ` (${description})` : ''}. ${advice}`,
    {
      oauthError: error.oauthError as string,
      ...(description ? { oauthErrorDescription: description } : {}),
      ...(error.detail ? { detail: error.detail } : {}),
      ...(error.oauthError === 'invalid_grant' ? { next: { action: 'sign_in', provider } } : {}),
      cause: error,
    },
  );
}
