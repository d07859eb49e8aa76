// What a provider adds to its requests: extra authorization and token parameters (audience,
// access_type, acr_values, ...), its scope separator, and offline_access where the server offers it.

import type { ProviderConfig } from '../../config/index.js';
import type { ResolvedProvider } from './registry.js';

/** OIDC scopes about the user: meaningless in a client-credentials grant, where there is no user. */
export const USER_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'address', 'phone']);

/** A space-separated scope as this provider wants it on the wire (RFC 6749 uses spaces; some servers commas). */
function wireScope(settings: ProviderConfig, scope: string): string {
  const separator = settings.scopeSeparator ?? ' ';
  return separator === ' ' ? scope : scope.split(' ').filter(Boolean).join(separator);
}

/** An authorization (or device authorization) request's parameters: the provider's extras, ours over them. */
export function authorizationParameters(
  settings: ProviderConfig,
  parameters: Record<string, string>,
): Record<string, string> {
  const { scope, ...rest } = parameters;
  return {
    ...settings.authorizationParams,
    ...rest,
    ...(scope ? { scope: wireScope(settings, scope) } : {}),
  };
}

/** A token request's extra parameters: the provider's `tokenParams`, ours (resource, scope) over them. */
export function tokenParameters(
  settings: ProviderConfig,
  parameters: Record<string, string> = {},
): Record<string, string> | undefined {
  const { scope, ...rest } = parameters;
  const all = {
    ...settings.tokenParams,
    ...rest,
    ...(scope ? { scope: wireScope(settings, scope) } : {}),
  };
  return Object.keys(all).length > 0 ? all : undefined;
}

/**
 * The scope of a sign-in: the request's, else the provider's, else `openid` where the AS speaks OIDC;
 * with offline_access added when the server lists it (a refresh token keeps the session working),
 * unless the provider sets `offlineAccess: false`.
 */
export function signInScope(provider: ResolvedProvider, scopes: string[] | undefined): string {
  const { metadata, settings } = provider;
  const oidc = metadata.scopes_supported?.includes('openid') ?? Boolean(metadata.userinfo_endpoint);
  const chosen = scopes ?? settings.scopes ?? (oidc ? ['openid'] : []);
  const offline =
    settings.offlineAccess !== false &&
    metadata.scopes_supported?.includes('offline_access') === true &&
    !chosen.includes('offline_access');
  return [...chosen, ...(offline ? ['offline_access'] : [])].join(' ');
}
