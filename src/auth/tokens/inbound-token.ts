// HTTP mode: the bearer token a user presented to /mcp. It may be exchanged (RFC 8693, on-behalf-of) only at the
// token endpoint of the authorization server that issued it; it is never stored, logged, or sent anywhere else.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { ResolvedProvider } from '../provider/registry.js';

/** Throws unless `provider` is the authorization server of http.auth, the one that issued the caller's token. */
export function assertInboundTokenDestination(ctx: EngineContext, provider: ResolvedProvider): void {
  const issuer = ctx.inboundIssuer;
  if (!ctx.httpMode || !issuer) {
    throw new OAuthToolError(
      'invalid_input',
      'There is no caller token to exchange here: subject "caller" works only in HTTP mode with http.auth, where the caller presents a bearer token. Exchange a stored session\'s token instead (omit subject, pass session_id).',
    );
  }
  // A client a user registered carries endpoints of their choosing: only the deployment's own providers qualify.
  if (!ctx.registry.isConfigured(provider.name)) {
    throw new OAuthToolError(
      'forbidden',
      `Provider "${provider.name}" is a client registered by a user, not one of this deployment's providers: your token is exchanged only through a provider the operator configured for ${issuer}. Nothing was sent.`,
    );
  }
  if (sameIssuer(provider.metadata.issuer, issuer) && sameIssuer(provider.settings.issuer, issuer)) return;
  throw new OAuthToolError(
    'forbidden',
    `Your token was issued by ${issuer}; provider "${provider.name}" is ${provider.metadata.issuer}. Your token is exchanged only at the server that issued it (no token passthrough), so nothing was sent. Use a provider whose issuer is ${issuer}.`,
  );
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
