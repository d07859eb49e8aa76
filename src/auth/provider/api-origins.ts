// Which API origins a provider's tokens may go to: API origins belong to providers, so provider X's token
// never reaches provider Y's API.

import type { ProviderConfig } from '../../config/index.js';

/** Issuers compare without trailing slashes (`https://as.example/` is `https://as.example`). */
export function issuerKey(issuer: string): string {
  return issuer.replace(/\/+$/, '') || issuer;
}

/**
 * A configured provider's own `apiOrigins`, else the shared `api.allowedOrigins` minus origins another
 * provider claims. A registered client (`settings` from the store) gets the origins of the configured
 * providers at its issuer; its stored settings never widen them.
 */
export function providerApiOrigins(
  configured: Record<string, ProviderConfig>,
  sharedOrigins: string[],
  name: string,
  settings: ProviderConfig,
): string[] {
  const origins = (urls: string[]) => urls.map((url) => new URL(url).origin);
  const providers = Object.entries(configured);
  const claimed = new Set(providers.flatMap(([, provider]) => origins(provider.apiOrigins ?? [])));
  const shared = origins(sharedOrigins).filter((origin) => !claimed.has(origin));
  const own = (provider: ProviderConfig) => (provider.apiOrigins ? origins(provider.apiOrigins) : shared);
  const fromConfig = Object.hasOwn(configured, name) ? configured[name] : undefined;
  if (fromConfig) return own(fromConfig);
  const issuer = issuerKey(settings.issuer);
  return [
    ...new Set(
      providers.filter(([, provider]) => issuerKey(provider.issuer) === issuer).flatMap(([, p]) => own(p)),
    ),
  ];
}
