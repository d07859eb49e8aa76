// Token introspection (RFC 7662) for a session's token or a given one; where the AS has no
// introspection endpoint, or refuses it to a public client, a JWT access token (RFC 9068) is checked
// locally against the AS's JWKS.

import * as client from 'openid-client';
import { type ErrorCode, OAuthToolError } from '../../errors.js';
import { learnPastedSecret } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { capitalise } from '../error-advice.js';
import { toToolError } from '../error-mapping.js';
import { fingerprint } from '../fingerprint.js';
import { isConfidential, type ResolvedProvider } from '../provider/registry.js';
import { resolveBound, STALE_SESSION_ADVICE } from '../sessions/issuer-binding.js';
import { findSession } from '../sessions/sessions.js';
import { assertMayActAsClient } from './shared-clients.js';

/** A token to introspect: a session's access token (default) or a raw token. */
export interface IntrospectionRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  /** A raw token to introspect instead of a session's. */
  token?: string | undefined;
  tokenTypeHint?: 'access_token' | 'refresh_token' | undefined;
}

/** Whether the token is active, found by RFC 7662 introspection or a local JWT check, plus the server's fields. */
export interface IntrospectionResult {
  active: boolean;
  method: 'introspection' | 'local_jwt';
  token_sha256: string;
  session_id?: string;
  /** Why a locally checked token is inactive. */
  reason?: string;
  /** Set when the server refused introspection by this public client and the JWT was checked locally. */
  introspection_refused?: string;
  /** Every other field the AS returned (scope, client_id, sub, exp, org_id, ...), kept as is. */
  [field: string]: unknown;
}

/**
 * Asks the server whether a token is active (RFC 7662), or checks a JWT locally when it has no endpoint.
 *
 * @example
 * const { active } = await introspect(engine.ctx, { sessionId: 'ses_...' });
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspect(
  ctx: EngineContext,
  request: IntrospectionRequest,
): Promise<IntrospectionResult> {
  learnPastedSecret(request.token);
  let token = request.token;
  let sessionId: string | undefined;
  let provider: ResolvedProvider | undefined;
  let hint = request.tokenTypeHint;
  if (token) await assertMayActAsClient(ctx, request.provider, 'introspect tokens they pass in');
  if (!token) {
    const session = await findSession(ctx, request);
    sessionId = session.session_id;
    provider = await resolveBound(ctx, session, `Session "${session.session_id}"`, STALE_SESSION_ADVICE);
    if (hint === 'refresh_token') {
      if (!session.refresh_token)
        throw new OAuthToolError(
          'invalid_input',
          `Session "${session.session_id}" has no refresh token. Introspect its access token instead.`,
        );
      token = session.refresh_token;
    } else {
      token = session.access_token;
      hint = 'access_token';
    }
  }
  provider ??= await ctx.registry.resolve(request.provider);
  const base = { token_sha256: fingerprint(token), ...(sessionId ? { session_id: sessionId } : {}) };

  if (provider.metadata.introspection_endpoint) {
    try {
      const response = await client.tokenIntrospection(
        provider.configuration,
        token,
        hint ? { token_type_hint: hint } : undefined,
      );
      return { ...response, ...base, active: response.active === true, method: 'introspection' };
    } catch (error) {
      const mapped = toToolError(error, `introspecting a token at provider "${provider.name}"`);
      if (isConfidential(provider.settings) || !REFUSALS.has(mapped.code)) throw mapped;
      // RFC 7662 2.1 lets a server require client authentication, which a public client cannot give.
      const refused = `provider "${provider.name}" refused introspection by this public client (${mapped.oauthError ?? mapped.code}; RFC 7662 section 2.1 lets a server require client authentication)`;
      if (!looksLikeJwt(token)) {
        throw new OAuthToolError(
          'not_configured',
          `${capitalise(refused)}, and the token is not a JWT that could be checked locally. Introspection needs a confidential client: give this provider a "clientSecret" (or "clientPrivateKey") registered at the server.`,
          {
            cause: mapped,
            ...(mapped.oauthError ? { oauthError: mapped.oauthError } : {}),
            ...(mapped.oauthErrorDescription ? { oauthErrorDescription: mapped.oauthErrorDescription } : {}),
          },
        );
      }
      return {
        ...(await checkLocally(ctx, provider, token, base)),
        introspection_refused: `${refused}; the JWT was checked locally against its keys instead (a revoked token still looks active that way)`,
      };
    }
  }
  if (!looksLikeJwt(token)) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" has no introspection endpoint and the token is not a JWT, so it cannot be checked. Ask the AS to enable RFC 7662 introspection.`,
    );
  }
  return checkLocally(ctx, provider, token, base);
}

/** Failures that are the server's answer to this client, as opposed to a network or server fault. */
const REFUSALS = new Set<ErrorCode>(['oauth_error', 'not_authenticated', 'forbidden']);

/** A JWT access token (RFC 9068) verified against the AS's JWKS, without asking the server. */
async function checkLocally(
  ctx: EngineContext,
  provider: ResolvedProvider,
  token: string,
  base: { token_sha256: string; session_id?: string },
): Promise<IntrospectionResult> {
  if (!provider.metadata.jwks_uri) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" publishes neither an introspection endpoint this client may use nor a JWKS, so the token cannot be checked.`,
    );
  }
  // jose serves only this local check: loaded on first use, it stays out of start-up (~35 ms here)
  const [{ errors: joseErrors, jwtVerify }, { remoteJwks, sameMediaType }] = await Promise.all([
    import('jose'),
    import('../provider/jwks.js'),
  ]);
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      remoteJwks(provider.metadata.jwks_uri, ctx.timeoutMs, ctx.registry.fetch),
      { issuer: provider.metadata.issuer },
    );
    // RFC 9068 at+jwt by default; `jwtTypes` admits what Keycloak, Okta or Entra issue (typ JWT).
    const accepted = provider.settings.jwtTypes ?? ['at+jwt'];
    if (!accepted.some((type) => sameMediaType(type, protectedHeader.typ))) {
      return { ...base, active: false, method: 'local_jwt', reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' };
    }
    return { ...payload, ...base, active: true, method: 'local_jwt' };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
      return { ...base, active: false, method: 'local_jwt', reason: error.code };
    }
    throw toToolError(error, `checking a JWT access token against the JWKS of provider "${provider.name}"`);
  }
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
