// What every flow module needs: the provider registry, this principal's vault, the logger and the policy flags.

import type { ApiAuth } from '../config/index.js';
import type { Logger } from '../log.js';
import type { ProviderRegistry } from './provider/registry.js';
import type { StoredSession } from './repository/records.js';
import type { Vault } from './repository/vault.js';

/** Everything an operation needs: providers, the token vault, the logger and the settings from the config. */
export interface EngineContext {
  registry: ProviderRegistry;
  vault: Vault;
  logger: Logger;
  /** Config `exposeTokens`: raw tokens and secrets may appear in output. Default false. */
  exposeTokens: boolean;
  /** Config `timeoutMs`: the timeout of every request we make. */
  timeoutMs: number;
  /** Open the system browser for sign-ins (config openBrowser, --no-browser, CI). */
  openBrowser: boolean;
  /** No desktop here (server, container, SSH): a browser sign-in page would not reach the user. */
  headless?: boolean | undefined;
  /** HTTP mode: the fixed redirect URI `<public-url>/oauth/callback`; stdio mode uses a loopback listener. */
  callbackUrl?: string | undefined;
  /**
   * HTTP mode: callers are remote users of one deployment. Sign-ins go through `/oauth/start` and are bound
   * to their initiator, pending sign-ins are capped, and configured client secrets are not shared.
   */
  httpMode: boolean;
  /** HTTP mode with http.auth: the issuer of callers' bearer tokens, the one server they may be exchanged at. */
  inboundIssuer?: string | undefined;
  /**
   * HTTP mode, during one tool call: gets a session of an `onBehalfOf` provider by exchanging the caller's inbound
   * token (held only by this closure, for this call). findSession uses it when the caller has no usable session.
   */
  onBehalfOf?: ((provider: string) => Promise<StoredSession>) | undefined;
  /** HTTP mode with http.auth: the caller (`principalFromClaims`); its vault namespace. */
  principal?: string | undefined;
  /** Config `api.apiAuth`: how the API at an origin wants the token, over the provider's `apiAuth`. */
  apiAuthByOrigin?: Record<string, ApiAuth> | undefined;
}
