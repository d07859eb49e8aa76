// The SDK's bearer-token verifier for /mcp, on the engine's access-token check (auth/tokens/access-token.ts):
// its answer becomes the SDK's AuthInfo, its refusals the SDK's OAuthError. The engine loads on the first request.

import {
  type AuthInfo,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import type {
  AccessTokenRefused,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
  VerifiedAccessToken,
} from '../auth/index.js';

interface Engine {
  verifier: AccessTokenVerifier;
  refused: typeof AccessTokenRefused;
}

export class TokenVerifier implements OAuthTokenVerifier {
  readonly #options: AccessTokenVerifierOptions;
  #engine: Promise<Engine> | undefined;
  #loaded: Engine | undefined;

  constructor(options: AccessTokenVerifierOptions) {
    this.#options = options;
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    this.#engine ??= import('../auth/index.js').then(({ AccessTokenVerifier, AccessTokenRefused }) => {
      this.#loaded = { verifier: new AccessTokenVerifier(this.#options), refused: AccessTokenRefused };
      return this.#loaded;
    });
    const { verifier, refused } = await this.#engine;
    try {
      return authInfo(token, await verifier.verify(token));
    } catch (error) {
      if (!(error instanceof refused)) throw error;
      const { code, message } = error as InstanceType<typeof refused> & { code: string };
      throw new OAuthError(
        code === 'invalid_token' ? OAuthErrorCode.InvalidToken : OAuthErrorCode.ServerError,
        message,
      );
    }
  }

  /** The AuthInfo of a token verified before and still valid (see AccessTokenVerifier.remembered), without awaiting. */
  remembered(token: string): AuthInfo | undefined {
    const verified = this.#loaded?.verifier.remembered(token);
    return verified && authInfo(token, verified);
  }
}

function authInfo(token: string, verified: VerifiedAccessToken): AuthInfo {
  const { clientId, scopes, expiresAt, principal, iss, sub } = verified;
  return { token, clientId, scopes, expiresAt, extra: { principal, iss, sub } };
}
