// Routes a Configuration's requests (grants, PAR, device, introspection, revocation, userinfo) through the
// registry's outbound fetch, the same policy as discovery, registration and API calls.

import type * as client from 'openid-client';
import { needsInsecureTransport } from '../../net/outbound-policy.js';

/** The outbound fetch on a Configuration, and plain http only when its issuer is on loopback. */
export function applyTransport(
  oidc: typeof client,
  configuration: client.Configuration,
  fetch: client.CustomFetch,
): void {
  configuration[oidc.customFetch] = fetch;
  if (needsInsecureTransport(new URL(configuration.serverMetadata().issuer))) {
    oidc.allowInsecureRequests(configuration);
  }
}
