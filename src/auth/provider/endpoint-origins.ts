// Endpoints learned from discovery stay on the issuer's origin (issue 23 item 7, the device-flow mix-up): a
// discovery document cannot send our client, its secret or another server's device code elsewhere. An
// endpoint on another origin is used only where the provider's config (or its preset) writes it. Checked
// where metadata becomes requests (a provider's Configuration, a registration, RFC 7592 management);
// reports (discovery, the audit, the JWKS report, the token doctor's key lookup) show it as it is.

import type { ProviderConfig } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';

/** Every URL of a metadata document that oauth-mcp sends requests or users to. */
function isEndpointField(field: string, value: unknown): value is string {
  return typeof value === 'string' && (field.endsWith('_endpoint') || field === 'jwks_uri');
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Refuses discovered metadata that names an endpoint off the issuer's origin (the configured issuer's or,
 * when it differs in form, the discovered one's) unless the config names that endpoint itself.
 */
export function checkDiscoveredEndpoints(
  settings: Pick<ProviderConfig, 'issuer' | 'metadata'>,
  discovered: { issuer: string; metadata: object },
): void {
  const origins = new Set([originOf(settings.issuer), originOf(discovered.issuer)]);
  const configured = settings.metadata ?? {};
  const foreign = Object.entries(discovered.metadata).filter(
    ([field, value]) =>
      isEndpointField(field, value) &&
      configured[field as keyof typeof configured] === undefined &&
      !origins.has(originOf(value)),
  );
  if (foreign.length === 0) return;
  const named = foreign.map(([field, value]) => `${field} ${value}`).join(', ');
  const metadata = JSON.stringify(Object.fromEntries(foreign));
  throw new OAuthToolError(
    'invalid_response',
    `The discovery document of ${settings.issuer} names endpoints on another origin: ${named}. oauth-mcp sends requests only to endpoints on the issuer's origin, unless the config names them: if that server really belongs to this one, add "metadata": ${metadata} to the provider's config.`,
  );
}
