// OAuthEngine: the EngineContext of one principal. Every OAuth operation is a function of that
// context in its own module (clientCredentials(ctx, ...), startSignIn(ctx, ...)), like openid-client's API.

import type { ApiAuth } from '../config.js';
import type { Logger } from '../log.js';
import type { Vault } from '../store/vault.js';
import type { EngineContext } from './engine-context.js';
import type { ProviderRegistry } from './providers.js';

export interface OAuthEngineOptions {
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

export class OAuthEngine {
  readonly ctx: EngineContext;

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
    const vault = this.ctx.vault.forPrincipal(principal);
    return new OAuthEngine({
      ...this.ctx,
      vault,
      registry: this.ctx.registry.withProfiles(vault),
      principal,
    });
  }
}
