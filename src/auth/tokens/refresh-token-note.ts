// "Why did I get no refresh token?": the likely reason, from what the server advertises and the scope
// that was asked for and granted. Shown where a sign-in ends without one, and when a refresh is impossible.

import type { ServerMetadata } from '../provider/registry.js';

const OFFLINE = 'offline_access';

export function whyNoRefreshToken(
  metadata: ServerMetadata,
  scope: { requested: string; granted: string },
): string {
  const requested = scope.requested.split(' ').includes(OFFLINE);
  const granted = scope.granted.split(' ').includes(OFFLINE);
  const grants = metadata.grant_types_supported;
  if (grants && !grants.includes('refresh_token')) {
    return 'The server does not list the refresh_token grant in grant_types_supported: it issues no refresh tokens. Sign in again when the access token expires.';
  }
  if (granted) {
    return 'offline_access was granted but no refresh token came: the client is probably not allowed the refresh_token grant (check its grant_types at the server), or the server issues refresh tokens only after explicit consent (prompt=consent).';
  }
  if (requested) {
    return 'offline_access was asked for but not granted: the user did not consent to it, or the server grants it only to clients allowed the refresh_token grant (and, on many servers, only with prompt=consent).';
  }
  if (metadata.scopes_supported?.includes(OFFLINE)) {
    return 'offline_access was not asked for, and this server issues refresh tokens only with it: add "offline_access" to the provider\'s scopes and sign in again.';
  }
  if (new URL(metadata.issuer).hostname === 'accounts.google.com') {
    return 'Google issues refresh tokens only when the authorization request carries access_type=offline (and prompt=consent for a repeated sign-in).';
  }
  return "The server does not advertise offline_access (scopes_supported), so it decides by its own policy: some need a vendor parameter (such as Google's access_type=offline), others a client setting that allows refresh tokens.";
}
