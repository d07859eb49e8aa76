// Presets: the issuer, endpoints and quirks of widely used authorization servers, filled in under a
// provider's own settings (which always win, key by key for metadata and extra parameters).

import type { ProviderConfig, ProviderInput } from './index.js';

type Preset = NonNullable<ProviderInput['preset']>;
type Defaults = Partial<ProviderConfig> & { issuer: string };

/** How each server does on-behalf-of when a provider says only `onBehalfOf: true`; RFC 8693 unless listed. */
const ON_BEHALF_OF: Partial<Record<Preset, 'exchange' | 'jwt-bearer'>> = {
  // Entra's OBO flow is RFC 7523's JWT bearer grant with requested_token_use=on_behalf_of, not RFC 8693.
  'microsoft-entra': 'jwt-bearer',
};

/** `sso.example.com` or `https://sso.example.com/auth` (or http on loopback): the base URL without a trailing slash. */
function baseUrl(domain: string): string {
  return (domain.includes('://') ? domain : `https://${domain}`).replace(/\/+$/, '');
}

/**
 * Google's discovery document names these on other origins than its issuer's; endpoints off the issuer's
 * origin are used only where the config (here, the preset) writes them (auth/provider/endpoint-origins.ts).
 */
const GOOGLE_ENDPOINTS = {
  token_endpoint: 'https://oauth2.googleapis.com/token',
  device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
  revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
  userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
};

const PRESET_DEFAULTS: Record<Preset, (p: ProviderInput) => Defaults> = {
  // No discovery at all; the same paths serve GitHub Enterprise Server at its own issuer.
  github: (p) => {
    const base = (p.issuer ?? 'https://github.com').replace(/\/+$/, '');
    return {
      issuer: 'https://github.com',
      discovery: false,
      metadata: {
        authorization_endpoint: `${base}/login/oauth/authorize`,
        token_endpoint: `${base}/login/oauth/access_token`,
        device_authorization_endpoint: `${base}/login/device/code`,
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        code_challenge_methods_supported: ['S256'],
      },
      ...(p.clientSecret ? { tokenEndpointAuthMethod: 'client_secret_post' as const } : {}),
    };
  },
  // Refresh tokens only with access_type=offline, and again after the first consent only with prompt=consent.
  google: (p) => ({
    issuer: 'https://accounts.google.com',
    ...(p.issuer ? {} : { metadata: GOOGLE_ENDPOINTS }),
    scopes: ['openid', 'email', 'profile'],
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
  }),
  // v2.0 endpoints want `<api>/.default` scopes instead of RFC 8707 resources, and the scope again on
  // refresh; access tokens are typ JWT.
  'microsoft-entra': (p) => ({
    issuer: `https://login.microsoftonline.com/${p.tenant ?? 'organizations'}/v2.0`,
    // Entra's discovery document names Microsoft Graph's userinfo endpoint, off the issuer's origin.
    ...(p.issuer ? {} : { metadata: { userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo' } }),
    scopes: ['openid', 'profile', 'offline_access', ...(p.audience ? [`${p.audience}/.default`] : [])],
    jwtTypes: ['JWT'],
    refreshWithScope: true,
  }),
  // The "default" custom authorization server; give `issuer` for the org server or another custom one.
  okta: (p) => ({
    issuer: `${baseUrl(p.domain ?? '')}/oauth2/default`,
    scopes: ['openid', 'profile', 'email'],
    jwtTypes: ['at+jwt', 'JWT'],
  }),
  // Auth0's issuer ends with a slash; an API is chosen with `audience`, not RFC 8707 `resource`.
  auth0: (p) => ({
    issuer: `${baseUrl(p.domain ?? '')}/`,
    scopes: ['openid', 'profile', 'email'],
    ...(p.audience
      ? { authorizationParams: { audience: p.audience }, tokenParams: { audience: p.audience } }
      : {}),
  }),
  // One issuer per realm; access tokens are typ JWT unless the realm is set to RFC 9068's at+jwt.
  keycloak: (p) => ({
    issuer: `${baseUrl(p.domain ?? '')}/realms/${encodeURIComponent(p.realm ?? '')}`,
    scopes: ['openid', 'profile', 'email'],
    jwtTypes: ['at+jwt', 'JWT'],
  }),
};

/** The fields each preset needs, unless the issuer is given outright. */
const REQUIRED: Partial<Record<Preset, ('tenant' | 'domain' | 'realm')[]>> = {
  'microsoft-entra': ['tenant'],
  okta: ['domain'],
  auth0: ['domain'],
  keycloak: ['domain', 'realm'],
};

export function presetProblems(provider: ProviderInput): { path: string[]; message: string }[] {
  if (!provider.preset || provider.issuer) return [];
  return (REQUIRED[provider.preset] ?? [])
    .filter((field) => !provider[field])
    .map((field) => ({
      path: [field],
      message: `is required by preset "${provider.preset}" (or give "issuer")`,
    }));
}

/** The provider's settings over its preset's defaults; without a preset, the issuer from `metadata` if needed. */
export function applyPreset(provider: ProviderInput): ProviderConfig {
  const issuer = provider.issuer ?? provider.metadata?.issuer;
  const onBehalfOf =
    provider.onBehalfOf === true
      ? { onBehalfOf: (provider.preset && ON_BEHALF_OF[provider.preset]) ?? ('exchange' as const) }
      : {};
  if (!provider.preset) return { ...provider, ...onBehalfOf, issuer: issuer ?? '' };
  const defaults = PRESET_DEFAULTS[provider.preset](provider);
  const merged = <T extends object>(base: T | undefined, own: T | undefined) =>
    base || own ? ({ ...base, ...own } as T) : undefined;
  const metadata = merged(defaults.metadata, provider.metadata);
  const authorizationParams = merged(defaults.authorizationParams, provider.authorizationParams);
  const tokenParams = merged(defaults.tokenParams, provider.tokenParams);
  return {
    ...defaults,
    ...provider,
    issuer: issuer ?? defaults.issuer,
    ...(metadata ? { metadata } : {}),
    ...(authorizationParams ? { authorizationParams } : {}),
    ...(tokenParams ? { tokenParams } : {}),
    ...onBehalfOf,
  };
}
