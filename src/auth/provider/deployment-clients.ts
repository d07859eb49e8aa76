// HTTP mode: the clients in the config file belong to the deployment. Users sign themselves in with them,
// but acting as the client itself (its secret, its initial access token) is for providers that opt in
// with `sharedClientCredentials`. The one policy; each use words its own refusal.

import type { ProviderRegistry } from './registry.js';

/**
 * The resolved name of provider `name` when its client is the deployment's and not shared (HTTP mode, from
 * the config, no `sharedClientCredentials`); undefined when the caller may act as that client.
 */
export async function unsharedDeploymentClient(
  registry: ProviderRegistry,
  httpMode: boolean,
  name: string | undefined,
): Promise<string | undefined> {
  if (!httpMode) return undefined;
  const { name: resolved, settings } = await registry.settings(name);
  // Clients a user registered live in that user's namespace: theirs to use.
  if (!registry.isConfigured(resolved) || settings.sharedClientCredentials) return undefined;
  return resolved;
}
