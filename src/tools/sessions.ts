// Toolset "sessions": the providers to choose from and what is in the store, metadata only.

import { z } from 'zod';
import { SESSION_PAGE_LIMITS, sessionViewSchema } from '../auth/views.js';
import { capped, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

export const listSessionsTool = defineTool({
  name: 'oauth_list_sessions',
  toolset: 'sessions',
  title: 'List providers and sessions',
  description: `List the providers and stored sessions (no raw tokens), a page at a time (call again with next_cursor while present). Call it first to find a provider or session_id.`,
  input: () =>
    z.object({
      provider: providerInput().describe("Only this provider's sessions (default: all)"),
      limit: z
        .number()
        .int()
        .min(1)
        .max(SESSION_PAGE_LIMITS.maxLimit)
        .optional()
        .describe(`Page size (default ${SESSION_PAGE_LIMITS.defaultLimit})`),
      cursor: capped('cursor', SESSION_PAGE_LIMITS.maxCursorLength)
        .min(1)
        .optional()
        .describe('next_cursor of the previous page (with the same provider)'),
    }),
  output: () =>
    z.object({
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
