// OAuthEngine: the library face of oauth-mcp (no MCP in here): one object per principal that runs
// every OAuth operation against the configured providers and keeps the results in the vault.

import type { Logger } from '../log.js';
import type { Vault } from '../store/vault.js';
import { type ClientCredentialsRequest, clientCredentials } from './client-credentials.js';
import type { EngineContext } from './engine-context.js';
import { type IntrospectionRequest, introspect } from './introspection.js';
import type { DiscoveryResult, ProviderRegistry } from './providers.js';
import { type RevocationRequest, revoke } from './revocation.js';
import { type SessionView, toSessionView } from './sessions.js';

export interface OAuthEngineOptions {
  registry: ProviderRegistry;
  vault: Vault;
  logger: Logger;
  exposeTokens: boolean;
  openBrowser?: boolean;
  callbackUrl?: string | undefined;
  allowedApiOrigins?: string[];
}

export class OAuthEngine {
  readonly ctx: EngineContext;

  constructor(options: OAuthEngineOptions) {
    this.ctx = {
      ...options,
      timeoutMs: options.registry.timeoutMs,
      openBrowser: options.openBrowser ?? false,
      allowedApiOrigins: options.allowedApiOrigins ?? [],
    };
  }

  /** The same engine seeing only one principal's sessions, flows and registered clients. */
  forPrincipal(principal: string): OAuthEngine {
    const vault = this.ctx.vault.forPrincipal(principal);
    return new OAuthEngine({ ...this.ctx, vault, registry: this.ctx.registry.withProfiles(vault) });
  }

  async discover(request: {
    provider?: string | undefined;
    issuer?: string | undefined;
  }): Promise<DiscoveryResult & { provider?: string }> {
    if (request.issuer) return this.ctx.registry.discover(request.issuer);
    const { name, settings } = await this.ctx.registry.settings(request.provider);
    return { ...(await this.ctx.registry.discover(settings.issuer)), provider: name };
  }

  async clientCredentials(
    request: ClientCredentialsRequest,
  ): Promise<{ session: SessionView; reused: boolean }> {
    const { session, reused } = await clientCredentials(this.ctx, request);
    return { session: this.view(session), reused };
  }

  introspect(request: IntrospectionRequest) {
    return introspect(this.ctx, request);
  }

  revoke(request: RevocationRequest) {
    return revoke(this.ctx, request);
  }

  async listSessions(request: { provider?: string | undefined }): Promise<SessionView[]> {
    return (await this.ctx.vault.listSessions(request)).map((s) => this.view(s));
  }

  view(session: Parameters<typeof toSessionView>[0]): SessionView {
    return toSessionView(session, this.ctx.exposeTokens);
  }
}
