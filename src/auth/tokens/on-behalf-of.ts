// On-behalf-of in HTTP mode: a provider marked `onBehalfOf` gets a user's downstream session by exchanging the
// token that user called oauth-mcp with, at that provider's token endpoint (RFC 8693, or Entra's RFC 7523 JWT
// bearer variant), and keeps it in the user's own namespace. The inbound token is not stored or logged.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnSecret } from '../../secrets/index.js';
import type { TokenStore } from '../../store/token-store.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { tokenParameters } from '../provider/parameters.js';
import type { ResolvedProvider } from '../provider/registry.js';
import type { StoredSession } from '../repository/records.js';
import { sessionFromTokens } from '../sessions/sessions.js';
import { dpopOption, newDPoPKey } from './dpop.js';
import { assertInboundTokenDestination } from './inbound-token.js';
import { assertGrantOffered, grantTokenExchange, TOKEN_TYPES } from './token-exchange.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** In-flight exchanges by store, caller and provider: concurrent tool calls of one user share one exchange. */
const inFlight = new WeakMap<TokenStore, Map<string, Promise<StoredSession>>>();

/** Exchanges the caller's inbound token for a session of `name`, stored in the caller's namespace; older ones go. */
export function obtainOnBehalfOf(
  ctx: EngineContext,
  name: string,
  inboundToken: string,
): Promise<StoredSession> {
  let running = inFlight.get(ctx.vault.store);
  if (!running) {
    running = new Map();
    inFlight.set(ctx.vault.store, running);
  }
  const key = JSON.stringify([ctx.principal, name]);
  const pending = running.get(key);
  if (pending) return pending;
  const started = exchangeOnBehalfOf(ctx, name, inboundToken).finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

async function exchangeOnBehalfOf(
  ctx: EngineContext,
  name: string,
  inboundToken: string,
): Promise<StoredSession> {
  learnSecret(inboundToken);
  const provider = await ctx.registry.resolve(name);
  assertInboundTokenDestination(ctx, provider);
  const { settings } = provider;
  let session: StoredSession;
  try {
    session =
      settings.onBehalfOf === 'jwt-bearer'
        ? await jwtBearerOnBehalfOf(ctx, provider, inboundToken)
        : await grantTokenExchange(ctx, {
            provider: name,
            subject: { kind: 'caller', token: inboundToken },
            ...(settings.audience ? { audience: [settings.audience] } : {}),
            ...(settings.resource ? { resource: [settings.resource] } : {}),
            ...(settings.scopes?.length ? { scopes: settings.scopes } : {}),
          });
  } catch (error) {
    throw refusal(toToolError(error, `getting a token on your behalf from provider "${name}"`), name);
  }
  const superseded = (await ctx.vault.listSessions({ provider: name })).filter(
    (s) => s.session_id !== session.session_id && s.exchanged_from === 'caller',
  );
  await Promise.all(superseded.map((s) => ctx.vault.deleteSession(s.session_id)));
  return session;
}

/** Microsoft Entra's on-behalf-of flow: the inbound token as an RFC 7523 assertion, the target in `scope`. */
async function jwtBearerOnBehalfOf(
  ctx: EngineContext,
  provider: ResolvedProvider,
  inboundToken: string,
): Promise<StoredSession> {
  assertGrantOffered(provider, JWT_BEARER_GRANT, 'the JWT bearer grant (RFC 7523) for on-behalf-of');
  const scope = provider.settings.scopes?.join(' ') ?? '';
  const parameters = {
    ...tokenParameters(provider.settings, scope ? { scope } : {}),
    assertion: inboundToken,
    requested_token_use: 'on_behalf_of',
  };
  const dpopKey = provider.settings.dpop ? await newDPoPKey() : undefined;
  const tokens = await client.genericGrantRequest(
    provider.configuration,
    JWT_BEARER_GRANT,
    parameters,
    await dpopOption(provider.configuration, dpopKey),
  );
  const session: StoredSession = {
    ...sessionFromTokens({
      provider: provider.name,
      issuer: provider.metadata.issuer,
      clientId: provider.configuration.clientMetadata().client_id,
      grant: 'jwt_bearer',
      requestedScope: scope,
      resource: provider.settings.resource,
      tokens,
      dpopKey,
    }),
    issued_token_type: TOKEN_TYPES.access_token,
    exchanged_from: 'caller',
  };
  await ctx.vault.putSession(session);
  ctx.logger.info('got a token on behalf of the caller', {
    session_id: session.session_id,
    provider: provider.name,
  });
  return session;
}

/** What a user sees when the server will not act on their behalf: why, and that signing in directly still works. */
function refusal(error: OAuthToolError, provider: string): OAuthToolError {
  if (error.code !== 'oauth_error' && error.code !== 'not_authenticated') return error;
  return new OAuthToolError(
    error.code,
    `${error.message} Provider "${provider}" gets your tokens by exchanging the token you called this server with (on-behalf-of), and the authorization server refused it for you: it may require your consent for this API first, or the operator must allow this client to exchange tokens for it. You can also sign in to "${provider}" directly.`,
    {
      ...(error.oauthError ? { oauthError: error.oauthError } : {}),
      ...(error.oauthErrorDescription ? { oauthErrorDescription: error.oauthErrorDescription } : {}),
      ...(error.detail ? { detail: error.detail } : {}),
      next: { action: 'sign_in', provider },
      cause: error,
    },
  );
}
