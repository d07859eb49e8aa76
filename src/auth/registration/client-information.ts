// Client information (RFC 7591 section 3.2.1, RFC 7592 section 3): validating the AS's answer, turning it
// into a stored provider profile, the public view of a registered client, and registration errors with advice.

import { z } from 'zod';
import { type ProviderConfig, TOKEN_ENDPOINT_AUTH_METHODS } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import { isLoopbackHost } from '../../net/outbound-policy.js';
import type { EngineContext } from '../engine-context.js';
import { capitalise } from '../error-advice.js';
import { fingerprint } from '../fingerprint.js';
import type { ClientProfile } from '../repository/records.js';
import type { ClientView } from '../views.js';

export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** Client metadata a user can set on registration (RFC 7591 section 2) and change on update (RFC 7592). */
export interface ClientMetadataInput {
  clientName?: string | undefined;
  redirectUris?: string[] | undefined;
  grantTypes?: string[] | undefined;
  responseTypes?: string[] | undefined;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  scope?: string | undefined;
  /** Other RFC 7591 metadata (client_uri, contacts, ...), sent as given. */
  extraMetadata?: Record<string, unknown> | undefined;
}

/** RFC 7591 section 3.2.1 (and RFC 7592 section 3): the fields we rely on; everything else is kept as sent. */
const clientInformationSchema = z
  .object({
    client_id: z.string().min(1),
    client_secret: z.string().min(1).optional(),
    client_id_issued_at: z.number().int().nonnegative().optional(),
    client_secret_expires_at: z.number().int().nonnegative().optional(),
    registration_access_token: z.string().min(1).optional(),
    registration_client_uri: z.string().url().optional(),
    token_endpoint_auth_method: z.string().optional(),
    redirect_uris: z.array(z.string()).optional(),
    grant_types: z.array(z.string()).optional(),
    response_types: z.array(z.string()).optional(),
    scope: z.string().optional(),
    client_name: z.string().optional(),
    application_type: z.string().optional(),
  })
  .passthrough();
export type ClientInformation = z.infer<typeof clientInformationSchema>;

/** Validates a client information response; `requestedMethod` is what we asked for (RFC 7591 default: client_secret_basic). */
export function validateClientInformation(
  json: unknown,
  requestedMethod: string | undefined,
  what: string,
): ClientInformation {
  const parsed = clientInformationSchema.safeParse(json);
  const invalid = (why: string) =>
    new OAuthToolError(
      'invalid_response',
      `${capitalise(what)} is not a valid RFC 7591 client information response: ${why}. The client may exist at the server anyway; check with its operator.`,
      parsed.success ? {} : { detail: parsed.error.message },
    );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'the body'} ${issue?.message ?? 'is malformed'}`);
  }
  const info = parsed.data;
  const method = info.token_endpoint_auth_method ?? requestedMethod ?? 'client_secret_basic';
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    throw invalid(`the client was given token_endpoint_auth_method "${method}", which oauth-mcp cannot use`);
  }
  if (method !== 'none' && !info.client_secret)
    throw invalid(`${method} needs a client_secret and none was returned`);
  if (info.client_secret && info.client_secret_expires_at === undefined) {
    throw invalid('client_secret_expires_at is required with a client_secret');
  }
  if (Boolean(info.registration_access_token) !== Boolean(info.registration_client_uri)) {
    throw invalid(
      'registration_access_token and registration_client_uri must be returned together (RFC 7592)',
    );
  }
  return info;
}

/** The stored profile's fields from a client information response; `base` keeps the server's settings. */
export function profileFromClientInformation(
  info: ClientInformation,
  base: ProviderConfig,
  previous?: Pick<ClientProfile, 'registration_access_token' | 'registration_client_uri'>,
): Pick<
  ClientProfile,
  'settings' | 'registration_access_token' | 'registration_client_uri' | 'client_metadata'
> {
  const method = (info.token_endpoint_auth_method ?? 'client_secret_basic') as TokenEndpointAuthMethod;
  // A loopback redirect is served on an ephemeral port by the sign-in flow; only another URI is pinned.
  const fixedRedirect = (info.redirect_uris ?? []).every((uri) => !isLoopbackRedirect(uri))
    ? info.redirect_uris?.[0]
    : undefined;
  const settings: ProviderConfig = {
    ...base,
    clientId: info.client_id,
    ...(method !== 'none' && info.client_secret ? { clientSecret: info.client_secret } : {}),
    tokenEndpointAuthMethod: method,
    ...(info.scope ? { scopes: info.scope.split(' ').filter(Boolean) } : {}),
    ...(fixedRedirect ? { redirectUri: fixedRedirect } : {}),
  };
  const token = info.registration_access_token ?? previous?.registration_access_token;
  const uri = info.registration_client_uri ?? previous?.registration_client_uri;
  const { registration_access_token: _token, client_secret: _secret, ...metadata } = info;
  return {
    settings,
    ...(token ? { registration_access_token: token } : {}),
    ...(uri ? { registration_client_uri: uri } : {}),
    client_metadata: metadata,
  };
}

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

export function clientView(ctx: EngineContext, profile: ClientProfile): ClientView {
  const { settings } = profile;
  const metadata = profile.client_metadata ?? {};
  const secret = settings.clientSecret;
  const expiresAt = metadata.client_secret_expires_at;
  const store = ctx.vault.info;
  return {
    provider: profile.name,
    issuer: settings.issuer,
    client_id: settings.clientId ?? '',
    ...(typeof metadata.client_name === 'string' ? { client_name: metadata.client_name } : {}),
    token_endpoint_auth_method: settings.tokenEndpointAuthMethod ?? (secret ? 'client_secret_basic' : 'none'),
    redirect_uris: stringArray(metadata.redirect_uris),
    grant_types: stringArray(metadata.grant_types),
    ...(typeof metadata.scope === 'string' ? { scope: metadata.scope } : {}),
    has_client_secret: Boolean(secret),
    ...(secret ? { client_secret_sha256: fingerprint(secret) } : {}),
    ...(secret && typeof expiresAt === 'number' && expiresAt > 0
      ? { client_secret_expires_at: new Date(expiresAt * 1000).toISOString() }
      : {}),
    manageable: Boolean(profile.registration_access_token && profile.registration_client_uri),
    ...(profile.registration_client_uri ? { registration_client_uri: profile.registration_client_uri } : {}),
    ...(ctx.exposeTokens
      ? {
          ...(secret ? { client_secret: secret } : {}),
          ...(profile.registration_access_token
            ? { registration_access_token: profile.registration_access_token }
            : {}),
        }
      : secret || profile.registration_access_token
        ? {
            secrets_stored_in: `the ${store.backend} store at ${store.location}${store.encrypted ? ' (encrypted)' : ''}; shown only when the config sets exposeTokens`,
          }
        : {}),
    metadata,
  };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
