// Dynamic client registration (RFC 7591): registers a client at an authorization server and keeps it
// as a provider profile in the store, so sign-in and token requests can use it at once and after a restart.

import * as oauth from 'oauth4webapi';
import type * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { needsInsecureTransport } from '../../net/outbound-policy.js';
import { learnPastedSecret, learnSecretsOf } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { unsharedDeploymentClient } from '../provider/deployment-clients.js';
import { pickServer } from '../provider/discovery.js';
import { checkDiscoveredEndpoints } from '../provider/endpoint-origins.js';
import { serverSettings } from '../provider/server-metadata.js';
import { type ClientProfile, STORE_SCHEMA_VERSION } from '../repository/records.js';
import { type ClientView, LOOPBACK_REDIRECT_URI } from '../views.js';
import {
  type ClientMetadataInput,
  clientView,
  profileFromClientInformation,
  type TokenEndpointAuthMethod,
  validateClientInformation,
} from './client-information.js';

const PROFILE_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A dynamic client registration (RFC 7591): the client metadata and where to register. */
export interface RegistrationRequest extends ClientMetadataInput {
  /** A configured provider whose server (and initialAccessToken) to use; default the defaultProvider. */
  provider?: string | undefined;
  /** An issuer to register at instead of a configured provider; with `provider`, both must name one server. */
  issuer?: string | undefined;
  /** Name of the new profile; default derived from client_name or the issuer's host. */
  name?: string | undefined;
  applicationType?: 'native' | 'web' | undefined;
  /** RFC 7591 section 3 initial access token, as given (never read from the environment). */
  initialAccessToken?: string | undefined;
}

/**
 * Registers a client at the server (RFC 7591) and stores it as a new profile.
 *
 * @example
 * const client = await registerClient(engine.ctx, { provider: 'work', clientName: 'my agent' });
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export async function registerClient(ctx: EngineContext, request: RegistrationRequest): Promise<ClientView> {
  const givenToken = literalToken(request.initialAccessToken);
  const { name: provider, settings: source, discovery } = await pickServer(ctx.registry, request);
  checkDiscoveredEndpoints(source ?? { issuer: discovery.issuer }, discovery);
  const { issuer, metadata: server } = discovery;
  if (!server.registration_endpoint) {
    throw new OAuthToolError(
      'not_configured',
      `Registration is not enabled on the authorization server ${issuer}: its metadata has no registration_endpoint (RFC 7591). Register a client by hand in that server's admin console and add it to the config's "providers", or ask its operator to enable dynamic client registration.`,
    );
  }
  const initialAccessToken = givenToken ?? (await deploymentToken(ctx, provider, source?.initialAccessToken));
  const metadata = clientMetadata(request, server, ctx.callbackUrl ?? LOOPBACK_REDIRECT_URI);

  const release = await ctx.vault.lock('registration:names');
  try {
    const name = await chooseName(ctx, request, issuer);
    let registered: oauth.OmitSymbolProperties<oauth.Client>;
    // An AbortController, not AbortSignal.timeout(): see notes.md on Node 20 and AbortSignal.any.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException('timed out', 'TimeoutError')),
      ctx.timeoutMs,
    );
    try {
      // With the merged (or configured) metadata: no second discovery, and a registration_endpoint
      // found only in the RFC 8414 document or the config is used.
      registered = await oauth
        .dynamicClientRegistrationRequest(server as oauth.AuthorizationServer, metadata, {
          ...(initialAccessToken ? { initialAccessToken } : {}),
          [oauth.customFetch]: ctx.registry.outboundFetch(source),
          [oauth.allowInsecureRequests]: needsInsecureTransport(new URL(server.registration_endpoint)),
          signal: timeout.signal,
        })
        .then(oauth.processDynamicClientRegistrationResponse);
    } catch (error) {
      throw toToolError(error, { action: `registering a client at ${issuer}`, operation: 'register' });
    } finally {
      clearTimeout(timer);
    }
    const information = validateClientInformation(
      { ...registered },
      metadata.token_endpoint_auth_method as string,
      `the registration response of ${issuer}`,
    );
    const now = new Date().toISOString();
    const profile: ClientProfile = {
      v: STORE_SCHEMA_VERSION,
      name,
      ...profileFromClientInformation(information, serverSettings(issuer, source)),
      created_at: now,
      updated_at: now,
    };
    await ctx.vault.putClientProfile(profile);
    learnSecretsOf(information);
    ctx.logger.info(`registered client profile "${name}" at ${issuer}`, { client_id: information.client_id });
    return clientView(ctx, profile);
  } finally {
    await release();
  }
}

/** The config's initial access token of `provider`, where this caller may use it (see deployment-clients.ts). */
async function deploymentToken(
  ctx: EngineContext,
  provider: string | undefined,
  token: string | undefined,
): Promise<string | undefined> {
  if (!token) return undefined;
  const unshared = await unsharedDeploymentClient(ctx.registry, ctx.httpMode, provider);
  if (!unshared) return token;
  throw new OAuthToolError(
    'forbidden',
    `On this shared server, users may not register clients with the initial access token of provider "${unshared}": it belongs to the deployment. ` +
      `The operator can allow it with "sharedClientCredentials": true on that provider; or pass an initial_access_token of your own.`,
  );
}

/** RFC 7591 section 2 metadata, with defaults for a native app that signs users in with PKCE. */
/** `defaultRedirect`: where this server's sign-ins return (HTTP mode: `<public-url>/oauth/callback`). */
function clientMetadata(
  request: RegistrationRequest,
  server: client.ServerMetadata,
  defaultRedirect: string,
): Partial<client.ClientMetadata> {
  // No redirect URI at all is how a model asks for a machine client (RFC 7591 needs none for client credentials).
  const machine = request.redirectUris?.length === 0;
  const grantTypes =
    request.grantTypes ??
    (machine ? ['client_credentials'] : defaultGrantTypes(request.tokenEndpointAuthMethod, server));
  if (machine && grantTypes.includes('authorization_code')) {
    throw new OAuthToolError(
      'invalid_input',
      'The authorization_code grant needs a redirect URI, and redirect_uris is empty. Give redirect_uris, or leave them out for the default loopback redirect, or ask for grant_types ["client_credentials"] for a machine client.',
    );
  }
  const authMethod =
    request.tokenEndpointAuthMethod ??
    (grantTypes.includes('client_credentials') ? 'client_secret_basic' : 'none');
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    throw new OAuthToolError(
      'invalid_input',
      'A client with token_endpoint_auth_method "none" has no secret, so it cannot use the client_credentials grant. Use client_secret_basic or client_secret_post.',
    );
  }
  const responseTypes = request.responseTypes ?? (grantTypes.includes('authorization_code') ? ['code'] : []);
  return {
    ...request.extraMetadata,
    ...(request.clientName ? { client_name: request.clientName } : {}),
    redirect_uris: request.redirectUris ?? (responseTypes.length > 0 ? [defaultRedirect] : []),
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: authMethod,
    // An https redirect (HTTP mode behind a public URL) is a web client's; loopback ones are native (RFC 8252).
    application_type: request.applicationType ?? (defaultRedirect.startsWith('https:') ? 'web' : 'native'),
    ...(request.scope ? { scope: request.scope } : {}),
  };
}

/** Code flow with refresh tokens, plus client credentials for a confidential client, as far as the AS supports them. */
function defaultGrantTypes(
  authMethod: TokenEndpointAuthMethod | undefined,
  server: client.ServerMetadata,
): string[] {
  const wanted = ['authorization_code', 'refresh_token'];
  if (authMethod && authMethod !== 'none') wanted.push('client_credentials');
  const supported = server.grant_types_supported;
  return supported ? wanted.filter((grant) => supported.includes(grant)) : wanted;
}

async function chooseName(ctx: EngineContext, request: RegistrationRequest, issuer: string): Promise<string> {
  const taken = new Set([...(await ctx.registry.providerNames()), ...(await ctx.vault.listProfileNames())]);
  if (request.name) {
    if (!PROFILE_NAME_PATTERN.test(request.name)) {
      throw new OAuthToolError(
        'invalid_input',
        `"${request.name}" cannot be a profile name: use 1 to 64 letters, digits, "_", "." or "-".`,
      );
    }
    if (taken.has(request.name)) {
      throw new OAuthToolError(
        'invalid_input',
        `A provider named "${request.name}" already exists. Choose another "name", or delete the old profile first.`,
        { next: { action: 'forget_client', provider: request.name } },
      );
    }
    return request.name;
  }
  const base =
    slug(request.clientName ?? '') || slug(new URL(issuer).hostname.replace(/^www\./, '')) || 'client';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 60)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 48);
}

/**
 * A tool argument is data: `${NAME}` is never expanded from the server's environment (that would send
 * any variable to any issuer a caller names). One answer whatever the name, so nothing reveals which
 * variables exist; config-time references (the provider's initialAccessToken) are the way to use one.
 */
function literalToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/\$\{[^}]*\}/.test(value)) {
    throw new OAuthToolError(
      'invalid_input',
      `initial_access_token must be the token itself: "\${...}" references are not read from the environment in tool arguments. To use a token from the environment, set "initialAccessToken": "\${NAME}" on the provider in the oauth-mcp config, restart, and register with "provider" instead of "issuer".`,
    );
  }
  learnPastedSecret(value);
  return value;
}
