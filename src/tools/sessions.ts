// Toolset "sessions": the providers to choose from and what is in the store, metadata only.

import { z } from 'zod';
import { SESSION_PAGE_LIMITS, sessionViewSchema } from '../auth/views.js';
import { capped, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

export const listSessionsTool = defineTool({
  name: 'oauth_list_sessions',
  toolset: 'sessions',
  title: 'List providers and sessions',
  description: `List the configured and registered providers (name, issuer, whether confidential, which is the default) and the stored OAuth sessions (signed-in users and machine tokens), optionally for one provider (default: all): session_id, provider, grant, subject, scope, expiry, whether a refresh token is held. Sessions come a page at a time (limit, default ${SESSION_PAGE_LIMITS.defaultLimit}, in session_id order): total says how many match, and while next_cursor is present, call again with cursor set to it (and the same provider) for the next page. Never shows raw tokens unless the config sets exposeTokens. Also says where tokens are stored (keychain, file, redis) and why. Call it first to find a provider name or a session_id for the other tools.`,
  input: z.object({
    provider: providerInput.describe(
      "Only this provider's sessions (a configured or registered name); default: the sessions of every provider",
    ),
    limit: z
      .number()
      .int()
      .min(1)
      .max(SESSION_PAGE_LIMITS.maxLimit)
      .optional()
      .describe(
        `Most sessions to return in this page (1-${SESSION_PAGE_LIMITS.maxLimit}, default ${SESSION_PAGE_LIMITS.defaultLimit}); the rest come on later pages`,
      ),
    cursor: capped('cursor', SESSION_PAGE_LIMITS.maxCursorLength)
      .min(1)
      .optional()
      .describe(
        'next_cursor from the previous oauth_list_sessions result, unchanged, to get the page after it (pass the same provider as then); omit for the first page',
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
    sessions: z.array(sessionViewSchema).describe('This page of sessions, in session_id order'),
    total: z.number().int().nonnegative().describe('How many sessions match, over all pages'),
    next_cursor: z
      .string()
      .optional()
      .describe(
        'Present when more sessions remain: call oauth_list_sessions again with cursor set to this (and the same provider); absent on the last page',
      ),
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
    ...(await (
      await oauth()
    ).listSessionPage(engine.ctx, {
      // An unknown name is refused (with "did you mean"), not answered with an empty list.
      provider: args.provider ? (await engine.ctx.registry.settings(args.provider)).name : undefined,
      limit: args.limit,
      cursor: args.cursor,
    })),
    store: { ...engine.ctx.vault.info },
  }),
});
