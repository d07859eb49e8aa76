// HTTP mode: the clients in the config file belong to the deployment. Users sign themselves in with them,
// but acting as the client itself (machine tokens, checking or revoking any token with its secret) is for
// providers that opt in with `sharedClientCredentials`.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { unsharedDeploymentClient } from '../provider/deployment-clients.js';

/** Throws unless this caller may act as provider `name`'s client; `action` completes "may not ...". */
export async function assertMayActAsClient(
  ctx: EngineContext,
  name: string | undefined,
  action: string,
): Promise<void> {
  const resolved = await unsharedDeploymentClient(ctx.registry, ctx.httpMode, name);
  if (!resolved) return;
  throw new OAuthToolError(
    'forbidden',
    `On this shared server, users may not ${action} with provider "${resolved}": its client belongs to the deployment. ` +
      `The operator can allow it with "sharedClientCredentials": true on that provider; or register a client of your own.`,
    { next: { action: 'register_client' } },
  );
}
