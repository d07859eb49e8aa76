// oauth-mcp as an OAuth protected resource: the RFC 9728 metadata document, the bearer gate of /mcp
// and the scope a tools/call needs (403 insufficient_scope names it).

import {
  type AuthInfo,
  getOAuthProtectedResourceMetadataUrl,
  type OAuthProtectedResourceMetadata,
  requireBearerAuth,
  requireScopes,
  type ScopeChallengeHandler,
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
  gate(request: Request): Promise<AuthInfo | Response>;
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
  const bearer = requireBearerAuth({ verifier, requiredScopes, resourceMetadataUrl: metadataUrl });
  return {
    metadataUrl,
    metadata: {
      resource: auth.audience,
      authorization_servers: [auth.issuer],
      scopes_supported: [...new Set([...requiredScopes, ...callScopes])],
      bearer_methods_supported: ['header'],
      resource_name: 'oauth-mcp',
    },
    gate: async (request) => {
      const verdict = await bearer(request);
      if (verdict instanceof Response && verdict.status >= 500) {
        logger.warn(
          `bearer token check failed on our side: ${verdict.headers.get('www-authenticate') ?? ''}`,
        );
      }
      return verdict;
    },
    toolScopeChallenge: requireScopes(...(callScopes as [string, ...string[]])),
  };
}

/** The principal of an HTTP request (`iss` + `sub` of its bearer token), set by the verifier; read only here. */
export function principalOf(authInfo: AuthInfo | undefined): string | undefined {
  const principal = authInfo?.extra?.principal;
  return typeof principal === 'string' ? principal : undefined;
}
