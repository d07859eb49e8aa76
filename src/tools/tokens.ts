// Toolset "tokens": machine tokens, introspection and revocation.

import { z } from 'zod';
import { sessionViewSchema } from '../auth/views.js';
import { oauth, providerInput, resourceInput, scopesInput, sessionIdInput } from './common.js';
import { defineTool } from './tool.js';

const tokenTypeHint = z.enum(['access_token', 'refresh_token']);

export const clientCredentialsTool = defineTool({
  name: 'oauth_client_credentials',
  toolset: 'tokens',
  title: 'Get a machine token (client credentials)',
  description:
    'Get an access token for the client itself (no user) with the OAuth client-credentials grant, for a confidential client (one with a client secret or a private key). `scopes` are sent as given; without them, the default scopes of the provider minus user scopes (openid, profile, offline_access, ...). A stored token with more than 60 s left is reused unless `force_new` is true. Returns the session (token metadata; the raw token only when the config sets exposeTokens). Use oauth_call_api to call an API with it.',
  input: z.object({
    provider: providerInput,
    scopes: scopesInput,
    resource: resourceInput,
    force_new: z
      .boolean()
      .optional()
      .describe('Always request a new token instead of reusing a valid stored one'),
  }),
  output: z.object({
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
    "Ask the authorization server whether a token is active and what it grants (RFC 7662 introspection: scope, client_id, sub, exp and every other field the server returns). Checks a session's access token by default (`token_type_hint: refresh_token` for its refresh token), or a raw `token`. Where the server has no introspection endpoint, or refuses introspection by a public client (RFC 7662 section 2.1), a JWT access token is verified locally against its published keys (RFC 9068); `method` says which answered.",
  input: z.object({
    provider: providerInput,
    session_id: sessionIdInput,
    token: z
      .string()
      .min(1)
      .max(16_384)
      .optional()
      .describe("A raw token to introspect instead of a stored session's"),
    token_type_hint: tokenTypeHint
      .optional()
      .describe(
        "Which of the session's tokens to introspect (default access_token), or, with `token`, what kind of token it is",
      ),
  }),
  output: z
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
    "Revoke a session's tokens at the authorization server (RFC 7009) and remove the session from the store: `which` = all (default; refresh token first), refresh_token or access_token (the session is kept when its refresh token survives). Or revoke a raw `token`. Use it to sign out or to kill a leaked token. A stale session (marked in oauth_list_sessions: its provider now names another server), or one whose server has no revocation endpoint, is only deleted here (not_revoked_reason says so: its tokens stay valid at the server until they expire). Destructive: the user must sign in again.",
  input: z.object({
    provider: providerInput,
    session_id: sessionIdInput,
    which: z
      .enum(['all', 'access_token', 'refresh_token'])
      .optional()
      .describe(
        "Which of the session's tokens to revoke: all (default; the session is removed), refresh_token, or access_token",
      ),
    token: z
      .string()
      .min(1)
      .max(16_384)
      .optional()
      .describe("A raw token to revoke instead of a stored session's"),
    token_type_hint: tokenTypeHint
      .optional()
      .describe('With `token`: what kind of token it is, to help the server find it'),
  }),
  output: z.object({
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
    'Get new tokens for a signed-in session with its refresh token (RFC 6749 section 6), e.g. before a long task or after an API said the token expired. Safe to call concurrently and from several oauth-mcp processes: one refresh request is made and everyone gets its result, and a rotated refresh token is stored before the old one is dropped. If the server rejects the refresh token (invalid_grant), the session is marked needs_reauth and the user must sign in again with oauth_authenticate_user. Other tools refresh automatically when a token expires within 60 s.',
  input: z.object({
    provider: providerInput,
    session_id: sessionIdInput,
    force: z
      .boolean()
      .optional()
      .describe(
        'Refresh even when the access token is still valid; default true. false refreshes only when it expires within 60 s',
      ),
  }),
  output: z.object({
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
