// Toolset "discovery": authorization server metadata.

import { z } from 'zod';
import { capped, LIMITS, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

export const discoverTool = defineTool({
  name: 'oauth_discover',
  toolset: 'discovery',
  title: 'Discover authorization server',
  description:
    "Fetch an authorization server's metadata (OIDC discovery, RFC 8414 and configured endpoints, merged): endpoints, grants, scopes, PKCE methods. Use it to check what a server supports.",
  input: () =>
    z.object({
      provider: providerInput(),
      issuer: capped('issuer', LIMITS.url).min(1).optional().describe('Issuer URL instead of a provider'),
    }),
  output: () =>
    z.object({
      issuer: z.string(),
      provider: z.string().optional(),
      source: z
        .enum(['openid-configuration', 'oauth-authorization-server', 'config'])
        .describe(
          'which well-known document answered (the OIDC one when both did), or config when discovery is off',
        ),
      documents: z
        .array(z.enum(['openid-configuration', 'oauth-authorization-server']))
        .describe('every well-known document that was read and merged, the one that wins conflicts first'),
      metadata: z
        .record(z.string(), z.unknown())
        .describe(
          "the merged metadata: the server's documents with the provider's configured metadata over them",
        ),
      endpoint_sources: z
        .record(z.string(), z.enum(['openid-configuration', 'oauth-authorization-server', 'config']))
        .describe('where each endpoint (and jwks_uri) came from: a well-known document or the config'),
      delegation: z
        .object({
          token_exchange: z.boolean().describe('RFC 8693 token exchange is listed in grant_types_supported'),
          jwt_bearer: z.boolean().describe('the RFC 7523 JWT bearer grant (on-behalf-of at Entra) is listed'),
          client_id_metadata_document: z
            .boolean()
            .describe('client_id_metadata_document_supported: a metadata document URL works as client id'),
        })
        .describe('what the server offers for delegation and for clients without registration'),
    }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) => {
    const { discover, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } = await oauth();
    const found = await discover(engine.ctx, {
      provider: args.provider,
      issuer: args.issuer,
    });
    return {
      issuer: found.issuer,
      ...(found.provider ? { provider: found.provider } : {}),
      source: found.source,
      documents: found.documents,
      metadata: { ...found.metadata },
      delegation: {
        token_exchange: found.metadata.grant_types_supported?.includes(TOKEN_EXCHANGE_GRANT) ?? false,
        jwt_bearer: found.metadata.grant_types_supported?.includes(JWT_BEARER_GRANT) ?? false,
        client_id_metadata_document:
          (found.metadata as Record<string, unknown>).client_id_metadata_document_supported === true,
      },
      endpoint_sources: Object.fromEntries(
        Object.entries(found.sources).filter(
          ([field]) => field.endsWith('_endpoint') || field === 'jwks_uri',
        ),
      ),
    };
  },
});
