// oauth-mcp as an OAuth protected resource: the RFC 9728 metadata document, the bearer gate of /mcp
// and the scopes a tools/call needs; every challenge names the scopes of a whole session.

import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type OAuthProtectedResourceMetadata,
  type ScopeChallengeHandler,
  verifyBearerToken,
} from '@modelcontextprotocol/server';
import type { ProviderRegistry } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { TokenVerifier } from './token-verifier.js';

const DEFAULT_REQUIRED_SCOPES = ['mcp:tools:read'];
const DEFAULT_CALL_SCOPES = ['mcp:tools:execute'];

export interface ResourceServer {
  /** The URL advertised in every `WWW-Authenticate: Bearer resource_metadata="..."` challenge. */
  metadataUrl: string;
  metadata: OAuthProtectedResourceMetadata;
  /** The verified token, or the 401/403 answer; a token verified before is answered synchronously. */
  gate(request: Request): AuthInfo | Response | Promise<AuthInfo | Response>;
  /** Attached to every tool: a tools/call without the call scopes is answered 403 before it runs. */
  toolScopeChallenge: ScopeChallengeHandler;
}

export function createResourceServer(options: {
  auth: NonNullable<Config['http']['auth']>;
  mcpUrl: URL;
  registry: ProviderRegistry;
  logger: Logger;
  timeoutMs: number;
}): ResourceServer {
  const { auth, mcpUrl, logger } = options;
  const requiredScopes = auth.requiredScopes ?? DEFAULT_REQUIRED_SCOPES;
  const callScopes = auth.callScopes ?? DEFAULT_CALL_SCOPES;
  const metadataUrl = getOAuthProtectedResourceMetadataUrl(mcpUrl);
  if (auth.audience !== mcpUrl.href) {
    logger.warn(
      `http.auth.audience is ${auth.audience} but this server's MCP URL is ${mcpUrl.href}; MCP clients ask the authorization server for tokens for the resource named in ${metadataUrl}, which is the audience.`,
    );
  }
  const verifier = new TokenVerifier({
    auth,
    registry: options.registry,
    logger,
    timeoutMs: options.timeoutMs,
  });
  // Never empty: callScopes has at least one scope (config schema).
  const sessionScopes = [...new Set([...requiredScopes, ...callScopes])] as [string, ...string[]];
  const check = async (header: string | undefined): Promise<AuthInfo | Response> => {
    try {
      const authInfo = await verifyBearerToken(header || undefined, {
        verifier,
        resourceMetadataUrl: metadataUrl,
      });
      const shortfall = scopeShortfall(authInfo.scopes, requiredScopes, sessionScopes);
      if (shortfall) throw new OAuthError(OAuthErrorCode.InsufficientScope, shortfall);
      return authInfo;
    } catch (error) {
      const verdict = bearerAuthChallengeResponse(error, {
        requiredScopes: sessionScopes,
        resourceMetadataUrl: metadataUrl,
      });
      if (verdict.status >= 500) {
        logger.warn(`bearer token check failed on our side: ${(error as Error).message}`);
      }
      return verdict;
    }
  };
  return {
    metadataUrl,
    metadata: {
      resource: auth.audience,
      authorization_servers: [auth.issuer],
      scopes_supported: sessionScopes,
      bearer_methods_supported: ['header'],
      resource_name: 'oauth-mcp',
    },
    gate: (request) => {
      const [header] = (request.headers.get('authorization') ?? '').split(',');
      // A token verified before passes without a promise; anything else takes the SDK's full check.
      const [type, token] = header?.split(' ') ?? [];
      const remembered = type?.toLowerCase() === 'bearer' && token ? verifier.remembered(token) : undefined;
      if (remembered && !scopeShortfall(remembered.scopes, requiredScopes, sessionScopes)) {
        return { ...remembered, resourceMetadataUrl: metadataUrl };
      }
      return check(header);
    },
    toolScopeChallenge: ({ authInfo }) => {
      // No authInfo: the bearer gate is off (no http.auth), and it alone decides who may call.
      if (!authInfo) return undefined;
      const shortfall = scopeShortfall(authInfo.scopes, sessionScopes, sessionScopes);
      return shortfall ? { scopes: sessionScopes, errorDescription: shortfall } : undefined;
    },
  };
}

/**
 * The one scope policy of /mcp. Clients that follow the MCP authorization spec register (RFC 7591) with
 * the scope of the first challenge and re-authorize with exactly the scope of a 403, and an authorization
 * server that enforces registered scopes refuses anything wider later: so every challenge (401, 403, and
 * `scopes_supported`) names all the scopes a session needs to list and call, never only the missing one.
 * Returns the error description for a token without every scope in `needed`, else undefined.
 */
function scopeShortfall(granted: string[], needed: string[], sessionScopes: string[]): string | undefined {
  const missing = needed.filter((scope) => !granted.includes(scope));
  if (missing.length === 0) return undefined;
  const ask = `Ask the authorization server for the scopes ${sessionScopes.join(' ')}`;
  return granted.length === 0
    ? `The access token carries no scope. ${ask} (a client credentials request needs them in its scope parameter).`
    : `The access token lacks ${missing.join(' ')}. ${ask}.`;
}

/** The principal of an HTTP request (`iss` + `sub` of its bearer token), set by the verifier; read only here. */
export function principalOf(authInfo: AuthInfo | undefined): string | undefined {
  const principal = authInfo?.extra?.principal;
  return typeof principal === 'string' ? principal : undefined;
}
