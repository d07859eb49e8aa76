// The engine's public shapes and limits, zod only: what tool schemas are built from at start-up without
// loading the engine (openid-client, jose) itself.

import { z } from 'zod';

/** The session shape of every tool output (design: "A session in any output"). */
export const sessionViewSchema = z.object({
  session_id: z.string(),
  provider: z.string(),
  grant: z.string(),
  subject: z.string().optional(),
  scope: z.string(),
  resource: z.string().optional(),
  token_type: z.string(),
  expires_at: z.string().optional().describe('ISO 8601; absent when the server gave no expiry'),
  expired: z.boolean(),
  has_refresh_token: z.boolean(),
  needs_reauth: z.boolean().optional().describe('true when the refresh token was rejected: sign in again'),
  stale: z
    .boolean()
    .optional()
    .describe(
      'true when the provider now names another authorization server or client: the session belongs to the old one, is never sent anywhere and cannot be used; remove it with oauth_revoke_access (deleted here only)',
    ),
  stale_reason: z.string().optional().describe('why the session is stale'),
  access_token_sha256: z.string().describe('first 16 hex chars of the SHA-256 of the access token'),
  exchanged_from: z
    .string()
    .optional()
    .describe('Token exchange: the session whose token was exchanged, or "caller" (your own bearer token)'),
  issued_token_type: z.string().optional().describe('Token exchange: the token type URN the server issued'),
  id_token_claims: z.record(z.string(), z.unknown()).optional(),
  completed_by: z
    .string()
    .optional()
    .describe('User sign-ins: who completed the sign-in (the ID token subject the server signed in)'),
  completed_at: z.string().optional().describe('User sign-ins: when the sign-in was completed (ISO 8601)'),
  access_token: z.string().optional().describe('only when the config sets exposeTokens'),
  refresh_token: z.string().optional().describe('only when the config sets exposeTokens'),
  id_token: z.string().optional().describe('only when the config sets exposeTokens'),
});
/** A stored session as callers see it: ids, scopes and expiry; raw tokens only when the config sets exposeTokens. */
export type SessionView = z.infer<typeof sessionViewSchema>;

/** A page holds `limit` sessions: this many unless asked otherwise, never more than `maxLimit`; a cursor is at most `maxCursorLength` characters. */
export const SESSION_PAGE_LIMITS = { defaultLimit: 50, maxLimit: 200, maxCursorLength: 512 } as const;

export const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** HTTP mode serves a provider's Client ID Metadata Document at `<public-url>/oauth/client-metadata/<provider>`. */
export const CLIENT_METADATA_PATH = '/oauth/client-metadata/';

/** RFC 8252 section 7.3: a native client's loopback redirect; the AS must accept any port on it. */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

export const clientViewSchema = z.object({
  provider: z.string().describe('the profile name: pass it as `provider` to the sign-in and token tools'),
  issuer: z.string(),
  client_id: z.string(),
  client_name: z.string().optional(),
  token_endpoint_auth_method: z.string(),
  redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  scope: z.string().optional(),
  has_client_secret: z.boolean(),
  client_secret_sha256: z.string().optional().describe('first 16 hex chars of the SHA-256 of the secret'),
  client_secret_expires_at: z.string().optional().describe('ISO 8601; absent when the secret never expires'),
  manageable: z
    .boolean()
    .describe('true when a registration access token is kept (RFC 7592 read/update/delete)'),
  registration_client_uri: z.string().optional(),
  secrets_stored_in: z
    .string()
    .optional()
    .describe('where the client secret and registration access token are kept'),
  client_secret: z.string().optional().describe('only when the config sets exposeTokens'),
  registration_access_token: z.string().optional().describe('only when the config sets exposeTokens'),
  metadata: z
    .record(z.string(), z.unknown())
    .describe('the full client metadata the server returned, without secrets'),
});
export type ClientView = z.infer<typeof clientViewSchema>;

/** How long oauth_authenticate_user waits for the user by default: below the 60 s request timeout of hosts. */
export const DEFAULT_WAIT_SECONDS = 45;
