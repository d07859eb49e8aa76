// Authorization server metadata for a configured provider or any issuer URL (OIDC discovery, else RFC 8414).

import type { EngineContext } from './engine-context.js';
import type { DiscoveryResult } from './providers.js';

export interface DiscoveryRequest {
  provider?: string | undefined;
  /** An issuer to discover instead of a configured provider. */
  issuer?: string | undefined;
}

export async function discover(
  ctx: EngineContext,
  request: DiscoveryRequest,
): Promise<DiscoveryResult & { provider?: string }> {
  if (request.issuer) return ctx.registry.discover(request.issuer);
  const { name, settings } = await ctx.registry.settings(request.provider);
  return { ...(await ctx.registry.discover(settings.issuer)), provider: name };
}
