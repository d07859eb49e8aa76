// The engine's front door: createEngine (a resolved Config and a TokenStore in, the OAuth engine out; the
// library's one way in, and what createRuntime builds the server's engine with) and OAuthEngine, the
// EngineContext of one principal. Every OAuth operation is a function of that context in its own module
// (clientCredentials(ctx, ...), startSignIn(ctx, ...)), like openid-client's API.

import { type ApiAuth, type Config, configuredUrls } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';
import { LruCache } from '../lru-cache.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import { OutboundPolicy } from '../net/outbound-policy.js';
import { proxySettingsFromEnv } from '../net/proxy.js';
import { pinSecret, pinSecretsOf } from '../secrets/index.js';
import type { TokenStore } from '../store/token-store.js';
import type { EngineContext } from './engine-context.js';
import { ProviderRegistry } from './provider/registry.js';
import { Vault } from './repository/vault.js';
import { desktopAvailable } from './sign-in/browser.js';

export { principalFromClaims } from './principal.js';

interface OAuthEngineOptions {
  registry: ProviderRegistry;
  vault: Vault;
  logger: Logger;
  exposeTokens: boolean;
  openBrowser?: boolean;
  headless?: boolean | undefined;
  callbackUrl?: string | undefined;
  httpMode?: boolean;
  inboundIssuer?: string | undefined;
  principal?: string | undefined;
  onBehalfOf?: EngineContext['onBehalfOf'];
  apiAuthByOrigin?: Record<string, ApiAuth> | undefined;
}

/** HTTP mode: the engines of this many recent principals stay built (their provider Configurations warm). */
const PRINCIPAL_ENGINES = 1_000;

/** The engine of one principal: `ctx` is what every operation takes; build it with createEngine. */
export class OAuthEngine {
  readonly ctx: EngineContext;
  readonly #principals = new LruCache<string, OAuthEngine>(PRINCIPAL_ENGINES);

  constructor(options: OAuthEngineOptions) {
    this.ctx = {
      ...options,
      timeoutMs: options.registry.timeoutMs,
      openBrowser: options.openBrowser ?? false,
      httpMode: options.httpMode ?? false,
    };
  }

  /**
   * This engine for one tool call of a caller who presented `inboundToken` (HTTP mode): providers marked
   * `onBehalfOf` get the caller's sessions by exchanging it. The token lives only in this call's closure.
   */
  forCaller(inboundToken: string | undefined): OAuthEngine {
    if (!inboundToken || !this.ctx.principal) return this;
    const engine = new OAuthEngine(this.ctx);
    const ctx = engine.ctx;
    ctx.onBehalfOf = async (provider) =>
      (await import('./tokens/on-behalf-of.js')).obtainOnBehalfOf(ctx, provider, inboundToken);
    return engine;
  }

  /** The same engine seeing only one principal's sessions, flows and registered clients. */
  forPrincipal(principal: string): OAuthEngine {
    let engine = this.#principals.get(principal);
    if (!engine) {
      const vault = this.ctx.vault.forPrincipal(principal);
      engine = new OAuthEngine({
        ...this.ctx,
        // a per-call hook holds one caller's token: never carried into another principal's cached engine
        onBehalfOf: undefined,
        vault,
        registry: this.ctx.registry.withProfiles(vault),
        principal,
      });
      this.#principals.set(principal, engine);
    }
    return engine;
  }
}

/** What {@link createEngine} is built from. */
export interface CreateEngineOptions {
  /** A resolved config: `parseConfig(json)` or `loadConfig()`. */
  config: Config;
  /** Where sessions and registered clients are kept, e.g. `new MemoryStore()` or `await openStore(...)`. */
  store: TokenStore;
  /** Where warnings go, secrets redacted. Default: warnings and errors on stderr. */
  logger?: Logger;
  /** HTTP mode: `<public-url>/oauth/callback`, the redirect URI of every sign-in (and no browser opened here). */
  callbackUrl?: string | undefined;
  /** Where a desktop (DISPLAY, SSH) is looked for, to tell whether a page opened here reaches the user. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The OAuth engine without MCP. Every operation is a function of its `ctx`:
 * `await clientCredentials(engine.ctx, { provider: 'work' })`; `engine.forPrincipal(id)` sees one user's data.
 *
 * @example
 * const engine = createEngine({ config: parseConfig(json), store: new MemoryStore() });
 * const { session } = await clientCredentials(engine.ctx, { provider: 'work' });
 * @see docs/api.md (every operation takes `engine.ctx`)
 */
export function createEngine({
  config,
  store,
  logger = createLogger({ level: 'warn' }),
  callbackUrl,
  env = process.env,
}: CreateEngineOptions): OAuthEngine {
  pinConfigSecrets(config);
  const vault = new Vault(store, '', (message) => logger.warn(message));
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
      { proxy: proxySettingsFromEnv(env) },
    ),
  });
  return new OAuthEngine({
    registry,
    vault,
    logger,
    exposeTokens: config.exposeTokens,
    // HTTP mode: sign-ins redirect to this server, so a flow started on one instance can complete on any other;
    // remote users never get a browser opened on this machine (whose signed-in browser would complete their sign-in).
    ...(callbackUrl
      ? { callbackUrl, httpMode: true, openBrowser: false, inboundIssuer: config.http.auth?.issuer }
      : { openBrowser: config.openBrowser }),
    headless: !desktopAvailable(process.platform, env),
    apiAuthByOrigin: config.api.apiAuth,
  });
}

/** The config's secrets (often `${VAR}` from the environment) are held for the life of the process. */
function pinConfigSecrets(config: Config): void {
  for (const provider of Object.values(config.providers)) pinSecretsOf(provider);
  if (config.store.url) pinSecret(urlPassword(config.store.url));
  pinSecret(config.store.key);
  pinSecret(config.http.auth?.introspection?.clientSecret);
}

function urlPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
