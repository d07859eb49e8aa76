// Toolset "registration": dynamic client registration (RFC 7591) and client management (RFC 7592).

import { z } from 'zod';
import { clientViewSchema, LOOPBACK_REDIRECT_URI } from '../auth/views.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../config/index.js';
import { capped, LIMITS, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

const profileInput = capped('provider', LIMITS.name)
  .min(1)
  .describe('Name of a client profile created by oauth_register_client (its `provider` in the output)');

const metadataFields = {
  client_name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Human-readable client name shown on consent screens'),
  redirect_uris: z
    .array(capped('a redirect URI', LIMITS.url).url())
    .max(20)
    .optional()
    .describe(
      `Redirect URIs; default ["${LOOPBACK_REDIRECT_URI}"], the loopback redirect that oauth-mcp's sign-in uses on any port (RFC 8252 native client). [] registers a machine client (client_credentials, no redirect)`,
    ),
  grant_types: z
    .array(capped('a grant type', LIMITS.scope).min(1))
    .max(10)
    .optional()
    .describe(
      'OAuth grant types, e.g. authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code; default authorization_code + refresh_token (+ client_credentials for a confidential client), as far as the server supports them',
    ),
  response_types: z
    .array(capped('a response type', LIMITS.scope).min(1))
    .max(10)
    .optional()
    .describe('Default ["code"] when authorization_code is among the grant types, else []'),
  token_endpoint_auth_method: z
    .enum(TOKEN_ENDPOINT_AUTH_METHODS)
    .optional()
    .describe(
      'none = public client (sign-in with PKCE only); client_secret_basic / client_secret_post = confidential client with a secret. Default none, or client_secret_basic when client_credentials is requested',
    ),
  scope: capped('scope', LIMITS.url)
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scope tokens')
    .optional()
    .describe('Space-separated scopes the client may request, e.g. "openid profile offline_access"'),
  extra_metadata: z
    .record(z.string(), z.unknown())
    .refine((metadata) => JSON.stringify(metadata).length <= LIMITS.metadataBytes, {
      message: `extra_metadata is too large (at most ${LIMITS.metadataBytes} characters as JSON)`,
    })
    .optional()
    .describe('Other RFC 7591 client metadata sent as given (client_uri, logo_uri, contacts, ...)'),
};

/** The same fields for an update, described as changes: an omitted field keeps its registered value. */
function updateFields() {
  const kept = 'omit to keep the registered value';
  return {
    client_name: metadataFields.client_name.describe(`New client name shown on consent screens; ${kept}`),
    redirect_uris: metadataFields.redirect_uris.describe(`New complete list of redirect URIs; ${kept}`),
    grant_types: metadataFields.grant_types.describe(
      `New complete list of grant types (e.g. authorization_code, refresh_token, client_credentials); ${kept}`,
    ),
    response_types: metadataFields.response_types.describe(`New complete list of response types; ${kept}`),
    token_endpoint_auth_method: metadataFields.token_endpoint_auth_method.describe(
      `New client authentication method (none = public client with PKCE; client_secret_basic / client_secret_post = with a secret); ${kept}`,
    ),
    scope: metadataFields.scope.describe(`New space-separated scopes the client may request; ${kept}`),
    extra_metadata: metadataFields.extra_metadata.describe(
      `Other RFC 7591 metadata to set (client_uri, logo_uri, contacts, ...), merged over the registered ones; ${kept}`,
    ),
  };
}

export const registerClientTool = defineTool({
  name: 'oauth_register_client',
  toolset: 'registration',
  title: 'Register an OAuth client (dynamic registration)',
  description:
    "Register a new OAuth client at an authorization server with dynamic client registration (RFC 7591), at a configured `provider`'s server or any `issuer`. The client is saved as a new provider profile (named by `name`, else derived from client_name or the issuer's host) with its secret and registration access token, so oauth_authenticate_user and oauth_client_credentials can use it at once by passing the returned `provider`. Defaults suit signing a user in from this machine: a public native client with the loopback redirect. Ask for token_endpoint_auth_method client_secret_basic (or grant_types with client_credentials, or redirect_uris []) for a machine client. Returns the client's id and metadata; secrets only when the config sets exposeTokens.",
  input: z.object({
    provider: providerInput.describe(
      'A configured provider whose authorization server to register at (its initialAccessToken is used); default the defaultProvider. With issuer too, both must name the same server',
    ),
    issuer: capped('issuer', LIMITS.url)
      .min(1)
      .optional()
      .describe('Register at this issuer URL instead of a configured provider (https, or http on loopback)'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
      .optional()
      .describe('Name of the new provider profile; must not exist yet'),
    ...metadataFields,
    application_type: z
      .enum(['native', 'web'])
      .optional()
      .describe('OIDC application type; default native (loopback redirects on any port)'),
    initial_access_token: z
      .string()
      .min(1)
      .max(16_384)
      .optional()
      .describe(
        "RFC 7591 initial access token, when the server requires one: the token itself (it is never read from the server's environment). Default the provider's initialAccessToken from the config",
      ),
  }),
  output: clientViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).registerClient(engine.ctx, {
      provider: args.provider,
      issuer: args.issuer,
      name: args.name,
      ...clientMetadataOf(args),
      applicationType: args.application_type,
      initialAccessToken: args.initial_access_token,
    }),
});

export const getClientTool = defineTool({
  name: 'oauth_get_client',
  toolset: 'registration',
  title: 'Read a registered client',
  description:
    "Read a registered client's current configuration from its authorization server (RFC 7592 read with the stored registration access token) and refresh the saved profile with it. Use it to check what the server holds for a client made with oauth_register_client. Returns the client's id and metadata; secrets only when the config sets exposeTokens.",
  input: z.object({ provider: profileInput }),
  output: clientViewSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) => (await oauth()).readClient(engine.ctx, args.provider),
});

export const updateClientTool = defineTool({
  name: 'oauth_update_client',
  toolset: 'registration',
  title: 'Update a registered client',
  description:
    "Change a registered client's metadata at its authorization server (RFC 7592 update): give only the fields to change; oauth-mcp reads the current registration and sends it back complete with your changes, as the RFC's full replacement requires. A registration access token rotated by the server is kept. Returns the updated client and whether the token was rotated.",
  input: z.object({ provider: profileInput, ...updateFields() }),
  output: clientViewSchema.extend({
    registration_access_token_rotated: z
      .boolean()
      .describe('true when the server issued a new registration access token (it is stored)'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).updateClient(engine.ctx, args.provider, clientMetadataOf(args)),
});

export const deleteClientTool = defineTool({
  name: 'oauth_delete_client',
  toolset: 'registration',
  title: 'Delete a registered client',
  description:
    'Delete a registered client at its authorization server (RFC 7592 delete), then forget its provider profile and every session signed in with it. Its tokens stop working at the server. `local_only: true` only forgets the profile here (when the server no longer knows the client). Destructive and irreversible: a new client must be registered to sign in again.',
  input: z.object({
    provider: profileInput,
    local_only: z
      .boolean()
      .optional()
      .describe('Forget the profile and its sessions here without contacting the authorization server'),
  }),
  output: z.object({
    provider: z.string(),
    client_id: z.string(),
    deleted_at_server: z.boolean(),
    sessions_removed: z.number().int().describe('how many stored sessions of this client were deleted'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).deleteClient(engine.ctx, args.provider, { localOnly: args.local_only }),
});

/** The RFC 7591 metadata fields of registration and update, from the wire names to the engine's. */
function clientMetadataOf(args: z.infer<z.ZodObject<typeof metadataFields>>) {
  return {
    clientName: args.client_name,
    redirectUris: args.redirect_uris,
    grantTypes: args.grant_types,
    responseTypes: args.response_types,
    tokenEndpointAuthMethod: args.token_endpoint_auth_method,
    scope: args.scope,
    extraMetadata: args.extra_metadata,
  };
}
