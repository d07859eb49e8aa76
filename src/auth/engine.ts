// OAuthEngine: the EngineContext of one principal. Every OAuth operation is a function of that
// context in its own module (clientCredentials(ctx, ...), startSignIn(ctx, ...)), like openid-client's API.

import type { ApiAuth } from '../config/index.js';
import type { Logger } from '../log.js';
import { LruCache } from '../lru-cache.js';
import type { EngineContext } from './engine-context.js';
import type { ProviderRegistry } from './provider/registry.js';
import type { Vault } from './repository/vault.js';

interface OAuthEngineOptions {
  registry: ProviderRegistry;
  vault: Vault;
  logger: Logger;
  exposeTokens: boolean;
  openBrowser?: boolean;
  headless?: boolean | undefined;
  callbackUrl?: string | undefined;
  httpMode?: boolean;
  principal?: string | undefined;
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

  /** The same engine seeing only one principal's sessions, flows and registered clients. */
  forPrincipal(principal: string): OAuthEngine {
    let engine = this.#principals.get(principal);
    if (!engine) {
      const vault = this.ctx.vault.forPrincipal(principal);
      engine = new OAuthEngine({
        ...this.ctx,
        vault,
        registry: this.ctx.registry.withProfiles(vault),
        principal,
      });
      this.#principals.set(principal, engine);
    }
    return engine;
  }
}
