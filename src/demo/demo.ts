// --demo: starts the embedded authorization server and returns the providers that point at it.

import type { ProviderConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import {
  DEMO_RESOURCE,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from './authorization-server.js';
import { demoProviders } from './demo-providers.js';

export interface Demo {
  server: RunningAuthorizationServer;
  providers: Record<string, ProviderConfig>;
  /** Origins oauth_call_api may call in the demo (the demo AS itself, for userinfo). */
  allowedOrigins: string[];
}

export async function startDemo(logger: Logger): Promise<Demo> {
  const server = await startAuthorizationServer();
  const providers = demoProviders(server.issuer);
  logger.info(
    [
      `demo authorization server running at ${server.issuer} (loopback only)`,
      'providers: "demo" (confidential client: client credentials, sign-in, device flow) and "demo-public" (public native client)',
      'sign in as any user name with any password on its login page',
      `demo API resource indicator: ${DEMO_RESOURCE}`,
      "oidc-provider's WARNING lines are expected here: a development set-up (in-memory adapter, built-in login pages) on loopback",
    ].join('\n  '),
  );
  return { server, providers, allowedOrigins: [new URL(server.issuer).origin] };
}
