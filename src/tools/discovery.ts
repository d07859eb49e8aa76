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
  input: z.object({
    provider: providerInput,
    issuer: capped('issuer', LIMITS.url).min(1).optional().describe('Issuer URL instead of a provider'),
  }),
  output: z.object({
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
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) => {
    const found = await (await oauth()).discover(engine.ctx, {
      provider: args.provider,
      issuer: args.issuer,
    });
    return {
      issuer: found.issuer,
      ...(found.provider ? { provider: found.provider } : {}),
      source: found.source,
      documents: found.documents,
      metadata: { ...found.metadata },
      endpoint_sources: Object.fromEntries(
        Object.entries(found.sources).filter(
          ([field]) => field.endsWith('_endpoint') || field === 'jwks_uri',
        ),
      ),
    };
  },
});
