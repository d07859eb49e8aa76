// Client credentials grant (RFC 6749 section 4.4): a machine token, reused from the store while it stays valid.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { tokenParameters, USER_SCOPES } from '../provider/parameters.js';
import { isConfidential, type ServerMetadata } from '../provider/registry.js';
import type { StoredSession } from '../repository/records.js';
import { bindingMismatch } from '../sessions/issuer-binding.js';
import { secondsLeft, sessionFromTokens, viewSession } from '../sessions/sessions.js';
import type { SessionView } from '../views.js';
import { dpopOption, newDPoPKey } from './dpop.js';
import { assertMayActAsClient } from './shared-clients.js';

/** A stored token is reused only while it has more than this many seconds left. */
const REUSE_MARGIN_SECONDS = 60;

/** A client-credentials grant: scopes and resource as given; forceNew (default false) skips reuse of a stored token. */
export interface ClientCredentialsRequest {
  provider?: string | undefined;
  scopes?: string[] | undefined;
  resource?: string | undefined;
  forceNew?: boolean | undefined;
}

/** The session of the grant as a view (raw tokens only with exposeTokens), and whether a still-valid earlier token was reused. */
export interface ClientCredentialsResult {
  session: SessionView;
  reused: boolean;
}

/**
 * Client credentials grant (RFC 6749 section 4.4): a machine token for a confidential client, reused
 * from the store while it has more than a minute left (unless `forceNew`).
 *
 * @example
 * const { session, reused } = await clientCredentials(engine.ctx, { provider: 'work', scopes: ['api:read'] });
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function clientCredentials(
  ctx: EngineContext,
  request: ClientCredentialsRequest,
): Promise<ClientCredentialsResult> {
  const { session, reused } = await grantClientCredentials(ctx, request);
  return { session: viewSession(ctx, session), reused };
}

/** The grant with the stored session itself, for the engine's own callers. */
export async function grantClientCredentials(
  ctx: EngineContext,
  request: ClientCredentialsRequest,
): Promise<{ session: StoredSession; reused: boolean }> {
  const { name, settings } = await ctx.registry.settings(request.provider);
  await assertMayActAsClient(ctx, name, 'get client-credentials tokens');
  if (!isConfidential(settings)) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${name}" has no client secret or private key, so it cannot use the client-credentials grant (only confidential clients can). Configure "clientSecret" (or "clientPrivateKey" with tokenEndpointAuthMethod "private_key_jwt"), or sign a user in instead.`,
      { next: { action: 'sign_in', provider: name } },
    );
  }
  // The provider's default scopes serve sign-ins too, so their user scopes are left out; what the
  // caller asks for explicitly is sent as asked.
  const scope = (request.scopes ?? (settings.scopes ?? []).filter((s) => !USER_SCOPES.has(s))).join(' ');
  const resource = request.resource ?? settings.resource;

  // Read while the token request is out: the reuse check below and, after a grant, the sessions it
  // replaces (only ones stored before it, so two grants at once never remove each other's).
  const earlier = ctx.vault.listSessions({ provider: name });
  earlier.catch(() => undefined); // awaited below; must not go unhandled if the grant fails first

  if (!request.forceNew) {
    // Only a token of this provider's current server and client: the name may point elsewhere now.
    const reusable = (await earlier)
      .filter(
        (s) => s.grant === 'client_credentials' && !bindingMismatch(s, settings.issuer, settings.clientId),
      )
      .filter((s) => sameScope(s.requested_scope ?? s.scope, scope) && s.resource === resource)
      .filter((s) => secondsLeft(s) > REUSE_MARGIN_SECONDS)
      .at(-1);
    if (reusable) return { session: reusable, reused: true };
  }

  const provider = await ctx.registry.resolve(name);
  const parameters = tokenParameters(settings, {
    ...(scope ? { scope } : {}),
    ...(resource ? { resource } : {}),
  });
  const dpopKey = settings.dpop ? await newDPoPKey() : undefined;
  let tokens: Awaited<ReturnType<typeof client.clientCredentialsGrant>>;
  try {
    tokens = await client.clientCredentialsGrant(
      provider.configuration,
      parameters,
      await dpopOption(provider.configuration, dpopKey),
    );
  } catch (error) {
    const mapped = toToolError(error, `requesting a client-credentials token from provider "${name}"`);
    throw mapped.oauthError === 'invalid_scope' && !scope
      ? scopeNeeded(name, provider.metadata, mapped)
      : mapped;
  }
  const session = sessionFromTokens({
    provider: name,
    issuer: provider.metadata.issuer,
    clientId: provider.configuration.clientMetadata().client_id,
    grant: 'client_credentials',
    requestedScope: scope,
    resource,
    tokens,
    dpopKey,
  });
  await ctx.vault.putSession(session);
  await dropSupersededMachineSessions(ctx, session, await earlier);
  return { session, reused: false };
}

/** invalid_scope to a request without a scope: the server wants one, which "request only allowed scopes" does not say. */
function scopeNeeded(name: string, metadata: ServerMetadata, cause: OAuthToolError): OAuthToolError {
  const offered = (metadata.scopes_supported ?? []).filter((s) => !USER_SCOPES.has(s));
  return new OAuthToolError(
    'oauth_error',
    `Requesting a client-credentials token from provider "${name}" failed: no scope was sent (the provider's "scopes" name none for a machine token), and this server needs one (invalid_scope${cause.oauthErrorDescription ? `: ${cause.oauthErrorDescription}` : ''}). Pass "scopes"${offered.length ? ` (it offers ${offered.slice(0, 10).join(', ')})` : ''}, or set the provider's "scopes" in the config.`,
    {
      oauthError: 'invalid_scope',
      ...(cause.oauthErrorDescription ? { oauthErrorDescription: cause.oauthErrorDescription } : {}),
      cause,
    },
  );
}

/** Keeps one machine session per (client, scope, resource): older ones are replaced, not accumulated. */
async function dropSupersededMachineSessions(
  ctx: EngineContext,
  current: StoredSession,
  earlier: StoredSession[],
): Promise<void> {
  const older = earlier.filter(
    (s) =>
      s.session_id !== current.session_id &&
      s.grant === 'client_credentials' &&
      !bindingMismatch(s, current.issuer, current.client_id) &&
      sameScope(s.requested_scope ?? s.scope, current.requested_scope ?? current.scope) &&
      s.resource === current.resource,
  );
  await Promise.all(older.map((s) => ctx.vault.deleteSession(s.session_id)));
}

function sameScope(a: string, b: string): boolean {
  const left = new Set(a.split(' ').filter(Boolean));
  const right = b.split(' ').filter(Boolean);
  return left.size === new Set(right).size && right.every((s) => left.has(s));
}
