// The one answer to "may this URL be shown to the user, elicited or opened in a browser": https, or
// http on loopback; never javascript:, file:, data: or credentials in the URL, whoever supplied it.

import { OAuthToolError } from '../../errors.js';
import { isLoopbackHost } from '../../net/outbound-policy.js';

const MAX_URL_LENGTH = 8192;

/** Why `url` must not be shown or opened, or undefined when it may. Never repeats the URL itself. */
export function userFacingUrlProblem(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `it is longer than ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not an absolute URL';
  }
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    return 'it is plain http to a host other than this machine';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    // The scheme alone is safe to name: letters, digits, + - . (WHATWG URL)
    return `its scheme "${parsed.protocol}" is not https`;
  }
  if (parsed.username || parsed.password) return 'it carries a user name or password';
  return undefined;
}

/**
 * Returns `url` when it may be shown, elicited or opened; otherwise throws an error that names what
 * the URL is (`what`, e.g. "the device flow's verification_uri") and who sent it, never the URL.
 */
export function userFacingUrl(url: string, what: string, from: string): string {
  const problem = userFacingUrlProblem(url);
  if (problem) {
    throw new OAuthToolError(
      'invalid_response',
      `${from} sent ${what} that cannot be shown or opened: ${problem}. Only https URLs (or http on this machine) are given to the user, so the sign-in was refused. Check the authorization server's configuration.`,
    );
  }
  return url;
}
