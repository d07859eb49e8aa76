// The SDK's bearer-token verifier for /mcp, on the engine's access-token check (auth/tokens/access-token.ts):
// its answer becomes the SDK's AuthInfo, its refusals the SDK's OAuthError. The engine loads on the first request.

import {
  type AuthInfo,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import type { AccessTokenRefused, AccessTokenVerifier, AccessTokenVerifierOptions } from '../auth/index.js';

export class TokenVerifier implements OAuthTokenVerifier {
  readonly #options: AccessTokenVerifierOptions;
  #engine: Promise<{ verifier: AccessTokenVerifier; refused: typeof AccessTokenRefused }> | undefined;

  constructor(options: AccessTokenVerifierOptions) {
    this.#options = options;
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    this.#engine ??= import('../auth/index.js').then(({ AccessTokenVerifier, AccessTokenRefused }) => ({
      verifier: new AccessTokenVerifier(this.#options),
      refused: AccessTokenRefused,
    }));
    const { verifier, refused } = await this.#engine;
    try {
      const { clientId, scopes, expiresAt, principal, iss, sub } = await verifier.verify(token);
      return { token, clientId, scopes, expiresAt, extra: { principal, iss, sub } };
    } catch (error) {
      if (!(error instanceof refused)) throw error;
      const { code, message } = error as InstanceType<typeof refused> & { code: string };
      throw new OAuthError(
        code === 'invalid_token' ? OAuthErrorCode.InvalidToken : OAuthErrorCode.ServerError,
        message,
      );
    }
  }
}
