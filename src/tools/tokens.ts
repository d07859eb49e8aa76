// Toolset "tokens": machine tokens, refresh, introspection and revocation (token exchange: exchange.ts).

import { z } from 'zod';
import { sessionViewSchema } from '../auth/views.js';
import { oauth, providerInput, resourceInput, scopesInput, sessionIdInput } from './common.js';
import { defineTool } from './tool.js';

const tokenTypeHint = () => z.enum(['access_token', 'refresh_token']);

export const clientCredentialsTool = defineTool({
  name: 'oauth_client_credentials',
  toolset: 'tokens',
  title: 'Get a machine token (client credentials)',
  description:
    'Get a machine token (no user) with the client-credentials grant, for a confidential client; a valid stored token is reused unless force_new. Use it with oauth_call_api.',
  input: () =>
    z.object({
      provider: providerInput(),
      scopes: scopesInput(),
      resource: resourceInput(),
      force_new: z.boolean().optional().describe('Never reuse a stored token'),
    }),
  output: () =>
    z.object({
      session: sessionViewSchema,
      reused: z.boolean().describe('true when a stored token was returned without contacting the server'),
    }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).clientCredentials(engine.ctx, {
      provider: args.provider,
      scopes: args.scopes,
      resource: args.resource,
      forceNew: args.force_new,
    }),
});

export const introspectTool = defineTool({
  name: 'oauth_introspect_token',
  toolset: 'tokens',
  title: 'Introspect a token',
  description:
    "Ask the authorization server whether a session's token (or a raw token) is active and what it grants (RFC 7662; JWTs are checked locally where it has no endpoint).",
  input: () =>
    z.object({
      provider: providerInput(),
      session_id: sessionIdInput(),
      token: z.string().min(1).max(16_384).optional().describe("A raw token instead of a session's"),
      token_type_hint: tokenTypeHint().optional().describe('Which token (default access_token)'),
    }),
  output: () =>
    z
      .object({
        active: z.boolean(),
        method: z.enum(['introspection', 'local_jwt']),
        token_sha256: z.string().describe('first 16 hex chars of the SHA-256 of the token checked'),
        session_id: z.string().optional(),
        reason: z.string().optional().describe('why a locally checked token is not active'),
        introspection_refused: z
          .string()
          .optional()
          .describe(
            'set when the server refused introspection by this public client and the JWT was checked locally',
          ),
      })
      .passthrough(),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).introspect(engine.ctx, {
      provider: args.provider,
      sessionId: args.session_id,
      token: args.token,
      tokenTypeHint: args.token_type_hint,
    }),
});

export const revokeTool = defineTool({
  name: 'oauth_revoke_access',
  toolset: 'tokens',
  title: 'Revoke tokens (sign out)',
  description:
    "Sign out: revoke a session's tokens (or a raw, leaked token) at the authorization server (RFC 7009) and remove the session (kept when only its access token is revoked).",
  input: () =>
    z.object({
      provider: providerInput(),
      session_id: sessionIdInput(),
      which: z
        .enum(['all', 'access_token', 'refresh_token'])
        .optional()
        .describe('Default all (removes the session)'),
      token: z.string().min(1).max(16_384).optional().describe("A raw token instead of a session's"),
      token_type_hint: tokenTypeHint().optional().describe('With token: its kind'),
    }),
  output: () =>
    z.object({
      revoked: z.array(
        z.object({
          token_type_hint: z.string(),
          token_sha256: z.string(),
          already_invalid: z
            .boolean()
            .optional()
            .describe(
              'true when the server answered that this access token was already invalid: revoking its refresh token had ended it (RFC 7009 section 2.1)',
            ),
        }),
      ),
      session_id: z.string().optional(),
      session_removed: z.boolean(),
      stale_reason: z
        .string()
        .optional()
        .describe(
          'set when the session was stale (its provider now names another server or client): it was only deleted here, nothing was sent anywhere; its tokens stay valid at the old server until they expire',
        ),
      not_revoked_reason: z
        .string()
        .optional()
        .describe(
          'set when the server has no revocation endpoint: the session was removed here only; its tokens stay valid at the server until they expire',
        ),
    }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).revoke(engine.ctx, {
      provider: args.provider,
      sessionId: args.session_id,
      which: args.which,
      token: args.token,
      tokenTypeHint: args.token_type_hint,
    }),
});

export const refreshTokenTool = defineTool({
  name: 'oauth_refresh_token',
  toolset: 'tokens',
  title: 'Refresh a session',
  description:
    'Get new tokens for a session with its refresh token, e.g. before a long task (other tools refresh on their own). If it is rejected, sign in again with oauth_authenticate_user.',
  input: () =>
    z.object({
      provider: providerInput(),
      session_id: sessionIdInput(),
      force: z.boolean().optional().describe('Default true; false refreshes only within 60 s of expiry'),
    }),
  output: () =>
    z.object({
      session: sessionViewSchema,
      outcome: z
        .enum(['refreshed', 'already_refreshed', 'still_fresh'])
        .describe(
          'refreshed: new tokens from the server; already_refreshed: a concurrent call or another oauth-mcp process had just refreshed, its tokens are returned; still_fresh: nothing needed (force false)',
        ),
      access_token_changed: z.boolean(),
      refresh_token_rotated: z.boolean().describe('true when the server issued a new refresh token'),
      previous_access_token_sha256: z.string(),
    }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).refreshToken(engine.ctx, {
      provider: args.provider,
      sessionId: args.session_id,
      force: args.force,
    }),
});
