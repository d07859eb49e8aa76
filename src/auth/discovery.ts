// Authorization server metadata for a configured provider or any issuer URL: the OIDC and RFC 8414
// documents merged, with a provider's own `metadata` over them, and where each field came from.

import type { EngineContext } from './engine-context.js';
import type { DiscoveryResult } from './providers.js';

export interface DiscoveryRequest {
  provider?: string | undefined;
  /** An issuer to discover instead of a configured provider; with `provider`, both must name one server. */
  issuer?: string | undefined;
}

export async function discover(
  ctx: EngineContext,
  request: DiscoveryRequest,
): Promise<DiscoveryResult & { provider?: string }> {
  const { name, discovery } = await ctx.registry.pickServer(request);
  return { ...discovery, ...(name ? { provider: name } : {}) };
}
