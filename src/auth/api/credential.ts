// How an API wants a session's token (config `apiAuth`, per origin over per provider): the header and
// scheme, or DPoP (RFC 9449) with a proof per request for DPoP-bound sessions.

import type { ApiAuth } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { StoredSession } from '../repository/records.js';
import { isDPoPBound } from '../sessions/sessions.js';
import { dpopHandle, proofSigner } from '../tokens/dpop.js';
import { parseChallenges } from './token-rejection.js';

/** Puts a session's token on one request, and says whether the API asked for a DPoP nonce. */
export interface Credential {
  /** The header that carries the token (lower case): the caller may not set it. */
  header: string;
  apply(headers: Headers, url: URL, method: string): Promise<void>;
  /** Learns the server's DPoP nonce from `response`; true when the request should be sent again with it. */
  wantsRetry(response: Response, url: URL): boolean;
}

/** The API's way for `origin`: `api.apiAuth[origin]`, else the provider's `apiAuth`, else Bearer in Authorization. */
export function apiAuthFor(ctx: EngineContext, providerAuth: ApiAuth | undefined, origin: string): ApiAuth {
  const byOrigin = Object.entries(ctx.apiAuthByOrigin ?? {}).find(([key]) => new URL(key).origin === origin);
  return byOrigin?.[1] ?? providerAuth ?? {};
}

/** The header name an API's token goes in (lower case). */
export function credentialHeader(auth: ApiAuth): string {
  return (auth.header ?? 'authorization').toLowerCase();
}

export async function credentialFor(
  ctx: EngineContext,
  session: StoredSession,
  auth: ApiAuth,
): Promise<Credential> {
  if (!isDPoPBound(session.token_type)) {
    const header = credentialHeader(auth);
    const scheme = auth.scheme ?? 'Bearer';
    const value = scheme === '' ? session.access_token : `${scheme} ${session.access_token}`;
    return {
      header,
      apply: async (headers) => headers.set(header, value),
      wantsRetry: () => false,
    };
  }
  if (!session.dpop_key) {
    throw new OAuthToolError(
      'not_authenticated',
      `Session "${session.session_id}" holds a DPoP-bound token but not its key, so it cannot be presented. Sign in again (or get a new machine token).`,
      { next: { action: 'sign_in', provider: session.provider } },
    );
  }
  const provider = await ctx.registry.resolve(session.provider);
  const signer = proofSigner(await dpopHandle(provider.configuration, session.dpop_key));
  // RFC 9449 7.1: a DPoP-bound token always goes as `Authorization: DPoP`, whatever apiAuth says.
  return {
    header: 'authorization',
    apply: async (headers, url, method) => {
      headers.set('authorization', `DPoP ${session.access_token}`);
      await signer.addProof(url, headers, method, session.access_token);
    },
    wantsRetry: (response, url) => {
      signer.cacheNonce(response, url);
      return (
        response.status === 401 &&
        response.headers.has('dpop-nonce') &&
        parseChallenges(response.headers.get('www-authenticate')).some(
          (c) => c.scheme === 'dpop' && c.parameters.error === 'use_dpop_nonce',
        )
      );
    },
  };
}
