// Authorization server metadata for a configured provider or any issuer URL: the OIDC and RFC 8414
// documents merged, with a provider's own `metadata` over them, and where each field came from.

import type { ProviderConfig } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import type { DiscoveryResult, ProviderRegistry } from './registry.js';

/** Which server to discover: a configured provider (default the defaultProvider) or an issuer URL. */
export interface DiscoveryRequest {
  provider?: string | undefined;
  /** An issuer to discover instead of a configured provider; with `provider`, both must name one server. */
  issuer?: string | undefined;
}

/**
 * Fetches (or reads from config) the server's metadata: RFC 8414, then OpenID Connect Discovery.
 *
 * @example
 * const { metadata } = await discover(engine.ctx, { issuer: 'https://auth.example.com' });
 * console.log(metadata.token_endpoint);
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3 and https://openid.net/specs/openid-connect-discovery-1_0.html
 */
export async function discover(
  ctx: { registry: ProviderRegistry },
  request: DiscoveryRequest,
): Promise<DiscoveryResult & { provider?: string }> {
  const { name, discovery } = await pickServer(ctx.registry, request);
  return { ...discovery, ...(name ? { provider: name } : {}) };
}

/**
 * The server named by `provider` or `issuer`, as a model may give either or both: both must name the
 * same server. A provider brings its settings (`metadata`, `discovery: false`, initial access token).
 */
export async function pickServer(
  registry: ProviderRegistry,
  request: DiscoveryRequest,
): Promise<{ name?: string; settings?: ProviderConfig; discovery: DiscoveryResult }> {
  if (request.issuer && !request.provider) return { discovery: await registry.discover(request.issuer) };
  const { name, settings } = await registry.settings(request.provider);
  const discovery = await registry.serverMetadata(settings);
  if (request.issuer) {
    const same = (url: string) => url.replace(/\/+$/, '');
    // The discovered issuer counts too: it may differ in form (Entra names the tenant by its id).
    if (![settings.issuer, discovery.issuer].map(same).includes(same(request.issuer))) {
      throw new OAuthToolError(
        'invalid_input',
        `"provider" ${name} is the authorization server ${settings.issuer}, but "issuer" says ${request.issuer}. Give only one of them, or both naming the same server.`,
      );
    }
  }
  return { name, settings, discovery };
}
