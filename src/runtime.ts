// Assembles config, store, provider registry and engine into one Runtime; used by the CLI (stdio and
// HTTP) and by tests that run the server in-process.

import { desktopAvailable } from './auth/browser.js';
import { OAuthEngine } from './auth/engine.js';
import { ProviderRegistry } from './auth/providers.js';
import { type Config, configuredUrls } from './config.js';
import type { Logger } from './log.js';
import { guardedFetch } from './net/guarded-fetch.js';
import { OutboundPolicy } from './net/outbound-policy.js';
import { pinSecret, pinSecretsOf } from './secrets/index.js';
import { openStore } from './store/index.js';
import type { TokenStore } from './store/token-store.js';
import { Vault } from './store/vault.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: TokenStore;
  engine: OAuthEngine;
  close(): Promise<void>;
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  options: {
    store?: TokenStore;
    env?: NodeJS.ProcessEnv;
    /** HTTP mode: `<public-url>/oauth/callback`, the redirect URI of every sign-in. */
    callbackUrl?: string;
  } = {},
): Promise<Runtime> {
  pinConfigSecrets(config);
  const store =
    options.store ??
    (await openStore({ config: config.store, logger, ...(options.env ? { env: options.env } : {}) }));
  const vault = new Vault(store);
  const registry = new ProviderRegistry({
    providers: config.providers,
    defaultProvider: config.defaultProvider,
    timeoutMs: config.timeoutMs,
    profiles: vault,
    logger,
    sharedApiOrigins: config.api.allowedOrigins,
    fetch: guardedFetch(
      new OutboundPolicy({
        configuredUrls: configuredUrls(config),
        allowPrivate: config.network.allowPrivate,
      }),
    ),
  });
  const env = options.env ?? process.env;
  const engine = new OAuthEngine({
    registry,
    vault,
    logger,
    exposeTokens: config.exposeTokens,
    openBrowser: config.openBrowser && !isTruthy(env.CI) && !isTruthy(env.OAUTH_MCP_NO_BROWSER),
    headless: !desktopAvailable(process.platform, env),
    callbackUrl: options.callbackUrl,
    apiAuthByOrigin: config.api.apiAuth,
  });
  return { config, logger, store, engine, close: () => store.close() };
}

/** The config's secrets (often `${VAR}` from the environment) are held for the life of the process. */
function pinConfigSecrets(config: Config): void {
  for (const provider of Object.values(config.providers)) pinSecretsOf(provider);
  if (config.store.url) pinSecret(urlPassword(config.store.url));
  pinSecret(config.http.auth?.introspection?.clientSecret);
}

function urlPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
