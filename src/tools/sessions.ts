// Toolset "sessions": the providers to choose from and what is in the store, metadata only.

import { z } from 'zod';
import { sessionViewSchema } from '../auth/sessions.js';
import { oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

export const listSessionsTool = defineTool({
  name: 'oauth_list_sessions',
  toolset: 'sessions',
  title: 'List providers and sessions',
  description:
    'List the configured and registered providers (name, issuer, whether confidential, which is the default) and the stored OAuth sessions (signed-in users and machine tokens), optionally for one provider (default: all): session_id, provider, grant, subject, scope, expiry, whether a refresh token is held. Never shows raw tokens unless the config sets exposeTokens. Also says where tokens are stored (keychain, file, redis) and why. Call it first to find a provider name or a session_id for the other tools.',
  input: z.object({
    provider: providerInput.describe(
      "Only this provider's sessions (a configured or registered name); default: the sessions of every provider",
    ),
  }),
  output: z.object({
    providers: z.array(
      z.object({
        name: z.string(),
        issuer: z.string(),
        client_id: z.string().optional(),
        source: z.enum(['config', 'registered']),
        confidential: z.boolean().describe('has a client secret: can get machine tokens'),
        is_default: z.boolean(),
      }),
    ),
    sessions: z.array(sessionViewSchema),
    store: z.object({
      backend: z.string(),
      location: z.string(),
      encrypted: z.boolean(),
      reason: z.string(),
    }),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, { engine }) => ({
    providers: await engine.ctx.registry.describeProviders(),
    sessions: await (await oauth()).listSessions(engine.ctx, {
      // An unknown name is refused (with "did you mean"), not answered with an empty list.
      provider: args.provider ? (await engine.ctx.registry.settings(args.provider)).name : undefined,
    }),
    store: { ...engine.ctx.vault.info },
  }),
});
