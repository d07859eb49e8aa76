// Client configuration management (RFC 7592): read, update (full replacement) and delete a registered
// client with its registration access token, keeping the stored profile in step with the server.

import { OAuthToolError } from '../../errors.js';
import { managementUrlProblem } from '../../net/outbound-policy.js';
import { learnSecretsOf } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { answerError, toToolError } from '../error-mapping.js';
import { checkDiscoveredEndpoints } from '../provider/endpoint-origins.js';
import { serverSettings } from '../provider/server-metadata.js';
import type { ClientProfile } from '../repository/records.js';
import type { ClientView } from '../views.js';
import {
  type ClientInformation,
  type ClientMetadataInput,
  clientView,
  profileFromClientInformation,
  validateClientInformation,
} from './client-information.js';

/** RFC 7592 section 2.2: the client must not send these back on update. */
const SERVER_ONLY_FIELDS = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
];

/**
 * RFC 7592 section 2.1: the client's current configuration; the stored profile is refreshed from it.
 *
 * @example
 * const client = await readClient(engine.ctx, 'registered-app');
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.1
 */
export async function readClient(ctx: EngineContext, name: string): Promise<ClientView> {
  return withProfile(ctx, name, async (profile) => {
    const info = await manage(ctx, profile, 'GET');
    return clientView(ctx, await save(ctx, profile, info));
  });
}

/**
 * RFC 7592 section 2.2: the update replaces the whole registration, so the current configuration is
 * read first and sent back complete with the changes applied. A rotated registration access token is kept.
 *
 * @example
 * await updateClient(engine.ctx, 'registered-app', { clientName: 'renamed' });
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export async function updateClient(
  ctx: EngineContext,
  name: string,
  changes: ClientMetadataInput,
): Promise<ClientView & { registration_access_token_rotated: boolean }> {
  return withProfile(ctx, name, async (profile) => {
    const current = await manage(ctx, profile, 'GET');
    const readProfile = await save(ctx, profile, current);
    const body: Record<string, unknown> = Object.fromEntries(
      Object.entries(current).filter(([key]) => !SERVER_ONLY_FIELDS.includes(key)),
    );
    Object.assign(body, changes.extraMetadata, {
      ...(changes.clientName !== undefined ? { client_name: changes.clientName } : {}),
      ...(changes.redirectUris ? { redirect_uris: changes.redirectUris } : {}),
      ...(changes.grantTypes ? { grant_types: changes.grantTypes } : {}),
      ...(changes.responseTypes ? { response_types: changes.responseTypes } : {}),
      ...(changes.tokenEndpointAuthMethod
        ? { token_endpoint_auth_method: changes.tokenEndpointAuthMethod }
        : {}),
      ...(changes.scope !== undefined ? { scope: changes.scope } : {}),
      client_id: current.client_id,
    });
    const updated = await manage(ctx, readProfile, 'PUT', body);
    const saved = await save(ctx, readProfile, updated);
    return {
      ...clientView(ctx, saved),
      registration_access_token_rotated:
        saved.registration_access_token !== readProfile.registration_access_token,
    };
  });
}

/** What deleteClient did: whether the server deleted the client (RFC 7592) and how many sessions left the store. */
export interface DeleteClientResult {
  provider: string;
  client_id: string;
  deleted_at_server: boolean;
  sessions_removed: number;
}

/**
 * RFC 7592 section 2.3; then the profile and every session made with it leave the store.
 *
 * @example
 * await deleteClient(engine.ctx, 'registered-app');
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export async function deleteClient(
  ctx: EngineContext,
  name: string,
  options: { localOnly?: boolean | undefined } = {},
): Promise<DeleteClientResult> {
  return withProfile(ctx, name, async (profile) => {
    if (!options.localOnly) await manage(ctx, profile, 'DELETE');
    const sessions = await ctx.vault.listSessions({ provider: name });
    await Promise.all(sessions.map((session) => ctx.vault.deleteSession(session.session_id)));
    await ctx.vault.deleteClientProfile(name);
    ctx.registry.forget(name);
    ctx.logger.info(`deleted client profile "${name}"`, { deleted_at_server: !options.localOnly });
    return {
      provider: name,
      client_id: profile.settings.clientId ?? '',
      deleted_at_server: !options.localOnly,
      sessions_removed: sessions.length,
    };
  });
}

/** Runs `work` on a stored profile under a lock shared by every process on the store (token rotation). */
async function withProfile<T>(
  ctx: EngineContext,
  name: string,
  work: (profile: ClientProfile) => Promise<T>,
): Promise<T> {
  const release = await ctx.vault.lock(`registration:${name}`);
  try {
    const profile = await ctx.vault.getClientProfile(name);
    if (!profile) {
      const registered = await ctx.vault.listProfileNames();
      const inConfig = ctx.registry.staticProviderNames().includes(name);
      throw inConfig
        ? new OAuthToolError(
            'not_configured',
            `Provider "${name}" comes from the config file, not from a client registration, so oauth-mcp holds no registration access token for it. Manage that client in its authorization server's console.`,
          )
        : new OAuthToolError(
            'not_configured',
            `Unknown client profile "${name}". Registered clients: ${registered.length ? registered.join(', ') : 'none'}.`,
            { next: { action: 'register_client' } },
          );
    }
    return await work(profile);
  } finally {
    await release();
  }
}

async function save(
  ctx: EngineContext,
  profile: ClientProfile,
  info: ClientInformation,
): Promise<ClientProfile> {
  const next: ClientProfile = {
    ...profile,
    ...profileFromClientInformation(info, serverSettings(profile.settings.issuer, profile.settings), profile),
    updated_at: new Date().toISOString(),
  };
  learnSecretsOf(next);
  await ctx.vault.putClientProfile(next);
  ctx.registry.forget(profile.name);
  return next;
}

/** One RFC 7592 request with the registration access token; never follows a redirect with it. */
async function manage(ctx: EngineContext, profile: ClientProfile, method: 'GET'): Promise<ClientInformation>;
async function manage(
  ctx: EngineContext,
  profile: ClientProfile,
  method: 'PUT',
  body: Record<string, unknown>,
): Promise<ClientInformation>;
async function manage(ctx: EngineContext, profile: ClientProfile, method: 'DELETE'): Promise<undefined>;
async function manage(
  ctx: EngineContext,
  profile: ClientProfile,
  method: 'GET' | 'PUT' | 'DELETE',
  body?: Record<string, unknown>,
): Promise<ClientInformation | undefined> {
  const action = `${{ GET: 'reading', PUT: 'updating', DELETE: 'deleting' }[method]} client "${profile.name}"`;
  const uri = profile.registration_client_uri;
  const token = profile.registration_access_token;
  if (!uri || !token) {
    throw new OAuthToolError(
      'not_configured',
      `Cannot manage client "${profile.name}": the authorization server gave no registration access token and client URI when it was registered, so it does not offer RFC 7592 management for it.${method === 'DELETE' ? ' Pass local_only: true to forget the profile here.' : ''}`,
    );
  }
  const { issuer } = profile.settings;
  const server = await ctx.registry.serverMetadata(profile.settings);
  checkDiscoveredEndpoints(profile.settings, server);
  const problem = managementUrlProblem(uri, [issuer, server.metadata.registration_endpoint]);
  if (problem)
    throw new OAuthToolError(
      'forbidden',
      `Cannot use the registration client URI of "${profile.name}": ${problem}. oauth-mcp sends the registration access token only there; manage this client in the authorization server's console, or forget it here.`,
      { next: { action: 'forget_client', provider: profile.name } },
    );

  let response: Response;
  try {
    response = await ctx.registry.fetch(uri, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    throw toToolError(error, { action, operation: 'manage_client', provider: profile.name });
  }
  if (method === 'DELETE' && (response.status === 204 || response.status === 200)) return undefined;
  const json = await response.json().catch(() => undefined);
  if (response.status === 200 && method !== 'DELETE') {
    return validateClientInformation(
      json,
      profile.settings.tokenEndpointAuthMethod,
      `the answer to ${action}`,
    );
  }
  throw answerError(response.status, json as { error?: string; error_description?: string } | undefined, {
    action,
    operation: 'manage_client',
    provider: profile.name,
  });
}
