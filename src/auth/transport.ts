// openid-client options that route an authorization server's requests through the outbound fetch:
// discovery, registration and every request of a Configuration (grants, PAR, device, introspection,
// revocation, userinfo) use the same policy as API calls.

import type * as client from 'openid-client';
import type { OutboundFetch } from '../net/guarded-fetch.js';
import { needsInsecureTransport } from '../net/outbound-policy.js';

type OpenIdClient = typeof client;

/**
 * Options for `discovery`, `dynamicClientRegistration` and similar one-shot calls at `server` (the issuer
 * URL): the outbound fetch, and plain http only when the issuer itself is on loopback.
 */
export function openIdTransport(
  oidc: OpenIdClient,
  fetch: OutboundFetch,
  server: URL,
): { [client.customFetch]: client.CustomFetch; execute?: ((config: client.Configuration) => void)[] } {
  return {
    [oidc.customFetch]: fetch as client.CustomFetch,
    ...(needsInsecureTransport(server) ? { execute: [oidc.allowInsecureRequests] } : {}),
  };
}

/** The same for a Configuration built by hand (`new Configuration(metadata, ...)`). */
export function applyTransport(
  oidc: OpenIdClient,
  configuration: client.Configuration,
  fetch: OutboundFetch,
): void {
  configuration[oidc.customFetch] = fetch as client.CustomFetch;
  if (needsInsecureTransport(new URL(configuration.serverMetadata().issuer))) {
    oidc.allowInsecureRequests(configuration);
  }
}
