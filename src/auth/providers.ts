// Provider registry: resolves a provider name to its settings and an openid-client Configuration,
// discovering each authorization server once (OIDC discovery, then RFC 8414) and reusing the result.

import type * as client from 'openid-client';
import type { ProviderConfig } from '../config.js';
import { toToolError } from './error-mapping.js';
import { OAuthToolError } from './errors.js';
import { needsInsecureTransport, urlProblem } from './network-policy.js';
import { importClientPrivateKey } from './private-key.js';

export type ServerMetadata = client.ServerMetadata;

/** openid-client is loaded on the first request to an AS, not at start-up. */
const loadOpenIdClient = () => import('openid-client');

/** Registered clients (RFC 7591) live in the store; the registry asks this source for them. */
export interface ProfileSource {
  getProfile(name: string): Promise<ProviderConfig | undefined>;
  listProfileNames(): Promise<string[]>;
}

export interface ResolvedProvider {
  name: string;
  settings: ProviderConfig;
  /** The openid-client Configuration for this provider's client; built once per provider. */
  configuration: client.Configuration;
  metadata: ServerMetadata;
}

export interface ProviderSummary {
  name: string;
  issuer: string;
  client_id?: string;
  /** From the config file, or a client registered with oauth_register_client. */
  source: 'config' | 'registered';
  /** Has a client secret: can use the client-credentials grant. */
  confidential: boolean;
  is_default: boolean;
}

export interface DiscoveryResult {
  issuer: string;
  /** Which well-known document answered. */
  source: 'openid-configuration' | 'oauth-authorization-server';
  metadata: ServerMetadata;
}

export interface ProviderRegistryOptions {
  providers: Record<string, ProviderConfig>;
  defaultProvider?: string | undefined;
  timeoutMs: number;
  profiles?: ProfileSource;
}

export class ProviderRegistry {
  readonly #options: ProviderRegistryOptions;
  readonly #discoveries: Map<string, Promise<DiscoveryResult>>;
  readonly #configurations = new Map<string, { key: string; configuration: client.Configuration }>();

  constructor(options: ProviderRegistryOptions, discoveries = new Map<string, Promise<DiscoveryResult>>()) {
    this.#options = options;
    this.#discoveries = discoveries;
  }

  /**
   * The same configured providers with another principal's registered clients (HTTP mode: each user
   * registers their own). Discovery results are shared: metadata is public and the same for everyone.
   */
  withProfiles(profiles: ProfileSource): ProviderRegistry {
    return new ProviderRegistry({ ...this.#options, profiles }, this.#discoveries);
  }

  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  /** From the config file (the deployment's), as opposed to a client registered into the store. */
  isConfigured(name: string): boolean {
    return Object.hasOwn(this.#options.providers, name);
  }

  staticProviderNames(): string[] {
    return Object.keys(this.#options.providers);
  }

  async providerNames(): Promise<string[]> {
    const dynamic = (await this.#options.profiles?.listProfileNames()) ?? [];
    return [...new Set([...this.staticProviderNames(), ...dynamic])];
  }

  /** Every provider this principal can use, without secrets: what a model needs to pick one. */
  async describeProviders(): Promise<ProviderSummary[]> {
    const defaultName = await this.#defaultName().catch(() => undefined);
    const names = await this.providerNames();
    return Promise.all(
      names.map(async (name) => {
        const { settings } = await this.settings(name);
        return {
          name,
          issuer: settings.issuer,
          ...(settings.clientId ? { client_id: settings.clientId } : {}),
          source: name in this.#options.providers ? ('config' as const) : ('registered' as const),
          confidential: isConfidential(settings),
          is_default: name === defaultName,
        };
      }),
    );
  }

  /** The provider's settings: config file first, then registered profiles from the store. */
  async settings(name?: string): Promise<{ name: string; settings: ProviderConfig }> {
    const resolvedName = name ?? (await this.#defaultName());
    const fromConfig = this.#options.providers[resolvedName];
    if (fromConfig) return { name: resolvedName, settings: fromConfig };
    const fromStore = await this.#options.profiles?.getProfile(resolvedName);
    if (fromStore) return { name: resolvedName, settings: fromStore };
    const known = await this.providerNames();
    throw new OAuthToolError(
      'not_configured',
      `Unknown provider "${resolvedName}". Known providers: ${known.length ? known.join(', ') : 'none'}. Add it to the config's "providers", register a client with oauth_register_client, or pass a configured name.`,
    );
  }

  async resolve(name?: string): Promise<ResolvedProvider> {
    const { name: resolvedName, settings } = await this.settings(name);
    const discovery = await this.discover(settings.issuer);
    if (!settings.clientId) {
      throw new OAuthToolError(
        'not_configured',
        `Provider "${resolvedName}" has no clientId. Set "clientId" in its config, or register a client with oauth_register_client.`,
      );
    }
    const key = JSON.stringify([
      settings.clientId,
      settings.clientSecret,
      settings.tokenEndpointAuthMethod,
      settings.clientPrivateKey,
      discovery.issuer,
    ]);
    const cached = this.#configurations.get(resolvedName);
    if (cached?.key === key)
      return {
        name: resolvedName,
        settings,
        configuration: cached.configuration,
        metadata: discovery.metadata,
      };
    const oidc = await loadOpenIdClient();
    const configuration = new oidc.Configuration(
      discovery.metadata,
      settings.clientId,
      undefined,
      await clientAuthentication(oidc, settings),
    );
    configuration.timeout = Math.ceil(this.#options.timeoutMs / 1000);
    if (needsInsecureTransport(new URL(discovery.issuer))) oidc.allowInsecureRequests(configuration);
    this.#configurations.set(resolvedName, { key, configuration });
    return { name: resolvedName, settings, configuration, metadata: discovery.metadata };
  }

  /** Discovers an issuer's metadata, once per issuer; a failure is not cached. */
  discover(issuer: string): Promise<DiscoveryResult> {
    const problem = urlProblem(issuer);
    if (problem)
      return Promise.reject(
        new OAuthToolError('invalid_input', `Cannot use issuer ${JSON.stringify(issuer)}: ${problem}.`),
      );
    const normalised = issuer.replace(/\/+$/, '') || issuer;
    let pending = this.#discoveries.get(normalised);
    if (!pending) {
      pending = this.#discoverUncached(normalised);
      this.#discoveries.set(normalised, pending);
      pending.catch(() => this.#discoveries.delete(normalised));
    }
    return pending;
  }

  /** Forgets a provider's cached Configuration (after its client was updated or deleted). */
  forget(name: string): void {
    this.#configurations.delete(name);
  }

  async #defaultName(): Promise<string> {
    if (this.#options.defaultProvider) return this.#options.defaultProvider;
    const names = await this.providerNames();
    if (names.length === 1 && names[0]) return names[0];
    throw new OAuthToolError(
      'invalid_input',
      names.length === 0
        ? 'No provider is configured. Add one under "providers" in the config (or set OAUTH_ISSUER and OAUTH_CLIENT_ID), or run with --demo.'
        : `Several providers are configured (${names.join(', ')}) and no defaultProvider is set: pass "provider".`,
    );
  }

  async #discoverUncached(issuer: string): Promise<DiscoveryResult> {
    const url = new URL(issuer);
    const oidc = await loadOpenIdClient();
    const options: client.DiscoveryRequestOptions = {
      timeout: Math.ceil(this.#options.timeoutMs / 1000),
      ...(needsInsecureTransport(url) ? { execute: [oidc.allowInsecureRequests] } : {}),
    };
    const attempt = async (algorithm: 'oidc' | 'oauth2'): Promise<DiscoveryResult> => {
      const found = await oidc.discovery(url, 'oauth-mcp-discovery', undefined, undefined, {
        ...options,
        algorithm,
      });
      const metadata = found.serverMetadata();
      const source = algorithm === 'oidc' ? 'openid-configuration' : 'oauth-authorization-server';
      return { issuer: metadata.issuer, source, metadata };
    };
    try {
      return await attempt('oidc');
    } catch (oidcError) {
      // Plain OAuth servers publish only RFC 8414 metadata; a 404 on the OIDC document is expected there.
      if (!isNotFound(oidcError)) throw toToolError(oidcError, `discovering ${issuer}`);
    }
    try {
      return await attempt('oauth2');
    } catch (oauthError) {
      throw toToolError(oauthError, `discovering ${issuer}`);
    }
  }
}

/** openid-client reports a non-200 metadata response with the Response as its cause. */
function isNotFound(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response && cause.status === 404;
}

/** A client that can authenticate itself at the token endpoint (a secret or a private key). */
export function isConfidential(settings: ProviderConfig): boolean {
  return Boolean(settings.clientSecret || settings.clientPrivateKey);
}

async function clientAuthentication(
  oidc: typeof client,
  settings: ProviderConfig,
): Promise<client.ClientAuth> {
  const method =
    settings.tokenEndpointAuthMethod ??
    (settings.clientSecret ? 'client_secret_basic' : settings.clientPrivateKey ? 'private_key_jwt' : 'none');
  if (method === 'none') return oidc.None();
  if (method === 'private_key_jwt') {
    if (!settings.clientPrivateKey) {
      throw new OAuthToolError(
        'not_configured',
        `The provider uses private_key_jwt but has no clientPrivateKey. Set "clientPrivateKey" to a private JWK or PKCS#8 PEM (e.g. "\${MY_CLIENT_KEY}").`,
      );
    }
    return oidc.PrivateKeyJwt(await importClientPrivateKey(settings.clientPrivateKey));
  }
  if (!settings.clientSecret) {
    throw new OAuthToolError(
      'not_configured',
      `The provider uses ${method} but has no clientSecret. Set "clientSecret" (e.g. "\${MY_CLIENT_SECRET}").`,
    );
  }
  return method === 'client_secret_post'
    ? oidc.ClientSecretPost(settings.clientSecret)
    : oidc.ClientSecretBasic(settings.clientSecret);
}
