// Toolset "discovery": authorization server metadata.

import { z } from 'zod';
import { capped, LIMITS, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

export const discoverTool = defineTool({
  name: 'oauth_discover',
  toolset: 'discovery',
  title: 'Discover authorization server',
  description:
    "Fetch an OAuth 2 / OpenID Connect authorization server's metadata (OIDC discovery, else RFC 8414): endpoints, supported grants, scopes, PKCE methods, registration endpoint. Give a configured `provider` name, or an `issuer` URL to inspect any server. Read-only; use it to check what a server supports before signing in or registering a client.",
  input: z.object({
    provider: providerInput,
    issuer: capped('issuer', LIMITS.url)
      .min(1)
      .optional()
      .describe('An issuer URL to discover instead of a configured provider (https, or http on loopback)'),
  }),
  output: z.object({
    issuer: z.string(),
    provider: z.string().optional(),
    source: z
      .enum(['openid-configuration', 'oauth-authorization-server'])
      .describe('which well-known document answered'),
    metadata: z
      .record(z.string(), z.unknown())
      .describe('the full metadata document as the server published it'),
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
      metadata: { ...found.metadata },
    };
  },
});
