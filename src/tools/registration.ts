// Toolset "registration": dynamic client registration (RFC 7591) and client management (RFC 7592).

import { z } from 'zod';
import { clientViewSchema, LOOPBACK_REDIRECT_URI } from '../auth/views.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../config/index.js';
import { capped, LIMITS, oauth, providerInput } from './common.js';
import { defineTool } from './tool.js';

const profileInput = () =>
  capped('provider', LIMITS.name).min(1).describe('Provider name oauth_register_client returned');

const metadataFields = () => ({
  client_name: z.string().min(1).max(200).optional().describe('Name on consent screens'),
  redirect_uris: z
    .array(capped('a redirect URI', LIMITS.url).url())
    .max(20)
    .optional()
    .describe(`Default ["${LOOPBACK_REDIRECT_URI}"]; [] for a machine client`),
  grant_types: z
    .array(capped('a grant type', LIMITS.scope).min(1))
    .max(10)
    .optional()
    .describe('Default authorization_code, refresh_token'),
  response_types: z
    .array(capped('a response type', LIMITS.scope).min(1))
    .max(10)
    .optional()
    .describe('Default ["code"]'),
  token_endpoint_auth_method: z
    .enum(TOKEN_ENDPOINT_AUTH_METHODS)
    .optional()
    .describe('Default none (public, PKCE)'),
  scope: capped('scope', LIMITS.url)
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scope tokens')
    .optional()
    .describe('Scopes the client may request, space-separated'),
  extra_metadata: z
    .record(z.string(), z.unknown())
    .refine((metadata) => JSON.stringify(metadata).length <= LIMITS.metadataBytes, {
      message: `extra_metadata is too large (at most ${LIMITS.metadataBytes} characters as JSON)`,
    })
    .optional()
    .describe('Other RFC 7591 metadata, sent as given'),
});

/** The same fields for an update, described as changes (the tool says an omitted field keeps its value). */
function updateFields() {
  const metadata = metadataFields();
  return {
    client_name: metadata.client_name.describe('New consent-screen name'),
    redirect_uris: metadata.redirect_uris.describe('New full list'),
    grant_types: metadata.grant_types.describe('New full list'),
    response_types: metadata.response_types.describe('New full list'),
    token_endpoint_auth_method: metadata.token_endpoint_auth_method.describe('New method (none: public)'),
    scope: metadata.scope.describe('New space-separated scopes'),
    extra_metadata: metadata.extra_metadata.describe('Other RFC 7591 metadata, merged in'),
  };
}

export const registerClientTool = defineTool({
  name: 'oauth_register_client',
  toolset: 'registration',
  title: 'Register an OAuth client (dynamic registration)',
  description:
    "Register a new OAuth client (RFC 7591) at a provider's server or any issuer; it becomes a new provider (the returned `provider`) for the other tools. Default: a public client for signing a user in here.",
  input: () =>
    z.object({
      provider: providerInput().describe('Provider whose server to register at'),
      issuer: capped('issuer', LIMITS.url).min(1).optional().describe('Issuer URL instead of a provider'),
      name: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
        .optional()
        .describe('Name of the new provider'),
      ...metadataFields(),
      application_type: z.enum(['native', 'web']).optional().describe('Default native'),
      initial_access_token: z.string().min(1).max(16_384).optional().describe('If the server requires one'),
    }),
  output: () => clientViewSchema,
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
    'Read what the server holds for a client made with oauth_register_client (RFC 7592) and refresh the saved provider.',
  input: () => z.object({ provider: profileInput() }),
  output: () => clientViewSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) => (await oauth()).readClient(engine.ctx, args.provider),
});

export const updateClientTool = defineTool({
  name: 'oauth_update_client',
  toolset: 'registration',
  title: 'Update a registered client',
  description:
    "Change a registered client's metadata at its authorization server (RFC 7592 update): give only the fields to change; the rest is kept.",
  input: () => z.object({ provider: profileInput(), ...updateFields() }),
  output: () =>
    clientViewSchema.extend({
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
    'Delete a registered client at its authorization server (RFC 7592), then forget its provider and sessions here. Irreversible: its tokens stop working.',
  input: () =>
    z.object({
      provider: profileInput(),
      local_only: z.boolean().optional().describe('Only forget it here (the server no longer knows it)'),
    }),
  output: () =>
    z.object({
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
function clientMetadataOf(args: z.infer<z.ZodObject<ReturnType<typeof metadataFields>>>) {
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
