// Provider registry: resolves a provider name to its settings and an openid-client Configuration,
// discovering each authorization server once (OIDC and RFC 8414 documents, merged) and reusing the result.

import type * as client from 'openid-client';
import { closestName } from '../../closest-name.js';
import type { ProviderConfig } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { LruCache } from '../../lru-cache.js';
import { capDocuments } from '../../net/document-limit.js';
import { guardedFetch, type OutboundFetch } from '../../net/guarded-fetch.js';
import { OutboundPolicy, urlProblem } from '../../net/outbound-policy.js';
import { issuerKey, providerApiOrigins } from './api-origins.js';
import { assertClientIdMetadataSupported } from './client-id-metadata.js';
import { importClientPrivateKey } from './client-key.js';
import { noteDeviation, tolerateDeviations } from './deviations.js';
import { checkDiscoveredEndpoints } from './endpoint-origins.js';
import {
  type DiscoveryResult,
  discoverDocuments,
  documentsAbsent,
  hasConfiguredEndpoints,
  withConfiguredMetadata,
} from './server-metadata.js';
import { applyTransport } from './transport.js';

export type { DiscoveryResult } from './server-metadata.js';

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
  /** From the config file, or a client registered at run time (RFC 7591). */
  source: 'config' | 'registered';
  /** Has a client secret or private key: can use the client-credentials grant. */
  confidential: boolean;
  is_default: boolean;
}

interface ProviderRegistryOptions {
  providers: Record<string, ProviderConfig>;
  defaultProvider?: string | undefined;
  timeoutMs: number;
  profiles?: ProfileSource;
  /** Where tolerated deviations of servers are reported (once each). */
  logger?: Logger | undefined;
  /** Config `api.allowedOrigins`: API origins of every configured provider without `apiOrigins`. */
  sharedApiOrigins?: string[];
  /** The fetch of every request to an AS or API; default: the outbound policy trusting only `providers`' issuers. */
  fetch?: OutboundFetch;
}

/** What every view of one registry shares: discovered metadata and what was learnt about servers. */
interface SharedState {
  discoveries: Map<string, Promise<DiscoveryResult>>;
  loggedDeviations: Set<string>;
  noCharsetOrigins: Set<string>;
  /** Issuers found to publish no discovery document: providers with endpoints in `metadata` use those alone. */
  withoutDiscovery: Set<string>;
  /** Per client (see `resolve`): a Configuration is a function of its key, whichever principal asks. */
  configurations: LruCache<string, client.Configuration>;
  /** Set by the first view: one pair per registry, so caches keyed by the fetch (JWKS) are shared. */
  fetches?: { api: OutboundFetch; documents: OutboundFetch };
}

/** Distinct clients whose Configuration is kept: the configured ones plus users' registered ones. */
const SHARED_CONFIGURATIONS = 1_000;

export class ProviderRegistry {
  readonly #options: ProviderRegistryOptions;
  /** Configured providers by name: a Map, so a name like `constructor` finds nothing inherited. */
  readonly #providers: Map<string, ProviderConfig>;
  readonly #shared: SharedState;
  readonly #configurations = new Map<string, { key: string; configuration: client.Configuration }>();
  /** serverMetadata's answer per settings object, while its discovery stays the same. */
  readonly #merged = new WeakMap<ProviderConfig, { discovered?: DiscoveryResult; merged: DiscoveryResult }>();
  /** resolve's answer per merged metadata: a configured provider resolves to the same objects every call. */
  readonly #resolved = new WeakMap<DiscoveryResult, ResolvedProvider>();
  /** Every request to an authorization server (metadata, JWKS, grants, RFC 7591/7592, userinfo): size-capped. */
  readonly fetch: OutboundFetch;
  /** API calls (oauth_call_api): the same outbound policy, the body streamed (the caller cuts it). */
  readonly apiFetch: OutboundFetch;

  constructor(
    options: ProviderRegistryOptions,
    shared: SharedState = {
      discoveries: new Map(),
      loggedDeviations: new Set(),
      noCharsetOrigins: new Set(),
      withoutDiscovery: new Set(),
      configurations: new LruCache(SHARED_CONFIGURATIONS),
    },
  ) {
    this.#options = options;
    this.#providers = new Map(Object.entries(options.providers));
    this.#shared = shared;
    const api =
      options.fetch ??
      guardedFetch(
        new OutboundPolicy({ configuredUrls: Object.values(options.providers).map((p) => p.issuer) }),
      );
    shared.fetches ??= { api, documents: capDocuments(api) };
    this.apiFetch = shared.fetches.api;
    this.fetch = shared.fetches.documents;
  }

  /**
   * The same configured providers with another principal's registered clients (HTTP mode: each user
   * registers their own). Discoveries and the Configurations of identical clients are shared.
   */
  withProfiles(profiles: ProfileSource): ProviderRegistry {
    return new ProviderRegistry({ ...this.#options, profiles }, this.#shared);
  }

  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  /** From the config file (the deployment's), as opposed to a client registered into the store. */
  isConfigured(name: string): boolean {
    return Object.hasOwn(this.#options.providers, name);
  }

  staticProviderNames(): string[] {
    return [...this.#providers.keys()];
  }

  async providerNames(): Promise<string[]> {
    const dynamic = (await this.#options.profiles?.listProfileNames()) ?? [];
    return [...new Set([...this.staticProviderNames(), ...dynamic])];
  }

  /** Every provider this principal can use, without secrets: what a model needs to pick one. */
  async describeProviders(): Promise<ProviderSummary[]> {
    const names = await this.providerNames();
    const defaultName = this.#defaultOf(names);
    return Promise.all(
      names.map(async (name) => {
        const { settings } = await this.settings(name);
        return {
          name,
          issuer: settings.issuer,
          ...(settings.clientId ? { client_id: settings.clientId } : {}),
          source: this.#providers.has(name) ? ('config' as const) : ('registered' as const),
          confidential: isConfidential(settings),
          is_default: name === defaultName,
        };
      }),
    );
  }

  /** The provider's settings: config file first, then registered profiles from the store. */
  async settings(name?: string): Promise<{ name: string; settings: ProviderConfig }> {
    const resolvedName = name ?? (await this.#defaultName());
    const fromConfig = this.#providers.get(resolvedName);
    if (fromConfig) return { name: resolvedName, settings: fromConfig };
    const fromStore = await this.#options.profiles?.getProfile(resolvedName);
    if (fromStore) return { name: resolvedName, settings: fromStore };
    const known = await this.providerNames();
    const sameButCase = known.filter((n) => n.toLowerCase() === resolvedName.toLowerCase());
    if (sameButCase.length === 1 && sameButCase[0]) return this.settings(sameButCase[0]);
    const guess = closestName(resolvedName, known);
    throw new OAuthToolError(
      'invalid_input',
      `Unknown provider "${resolvedName}".${guess ? ` Did you mean "${guess}"?` : ''} Known providers: ${known.length ? known.join(', ') : 'none'}. Add it to the config's "providers", register a client, or pass a configured name.`,
      { next: { action: 'register_client' } },
    );
  }

  /**
   * A provider's endpoints: its `metadata` over the discovered documents, or alone with `discovery: false`
   * or when the server publishes no documents (both 404) and `metadata` names endpoints.
   */
  async serverMetadata(settings: ProviderConfig): Promise<DiscoveryResult> {
    if (settings.discovery === false) return this.#withConfigured(settings, undefined);
    const configuredOnly = hasConfiguredEndpoints(settings);
    if (configuredOnly && this.#shared.withoutDiscovery.has(issuerKey(settings.issuer)))
      return this.#withConfigured(settings, undefined);
    try {
      return this.#withConfigured(settings, await this.discover(settings.issuer));
    } catch (error) {
      if (!configuredOnly || !(error instanceof OAuthToolError)) throw error;
      if (documentsAbsent(error)) {
        // Remembered for the process, like a discovery that succeeded: no two 404s before every request.
        const key = issuerKey(settings.issuer);
        if (this.#shared.withoutDiscovery.has(key)) return this.#withConfigured(settings, undefined);
        this.#shared.withoutDiscovery.add(key);
        this.#options.logger?.warn(
          `${settings.issuer} publishes no discovery document (OpenID Connect Discovery and RFC 8414 both answered 404), so the endpoints in the provider's "metadata" are used alone; set "discovery": false to skip the requests`,
        );
        return this.#withConfigured(settings, undefined);
      }
      throw new OAuthToolError(
        'not_configured',
        `${error.message} The provider gives its endpoints in "metadata": if the server publishes no discovery document, set "discovery": false to use them alone.`,
        { cause: error, ...(error.detail ? { detail: error.detail } : {}) },
      );
    }
  }

  /**
   * The fetch of every request to an authorization server: the tolerated deviations layered over the
   * outbound policy. `settings` are the provider's, when the request is made for one.
   */
  outboundFetch(settings?: ProviderConfig): client.CustomFetch {
    return tolerateDeviations(this.fetch as client.CustomFetch, {
      logger: this.#options.logger,
      logged: this.#shared.loggedDeviations,
      noCharset: this.#shared.noCharsetOrigins,
      scopeSeparator: settings?.scopeSeparator,
    });
  }

  /** Logs a deviation an operation tolerated at the server of `url`, once per kind and server (like the fetch's own). */
  noteDeviation(kind: string, url: string, message: string): void {
    noteDeviation(
      { logger: this.#options.logger, logged: this.#shared.loggedDeviations },
      kind,
      new URL(url).origin,
      message,
    );
  }

  /** The origins API calls may send this provider's tokens to (see api-origins.ts). */
  async apiOrigins(name: string): Promise<string[]> {
    const { settings } = await this.settings(name);
    return providerApiOrigins(this.#options.providers, this.#options.sharedApiOrigins ?? [], name, settings);
  }

  async resolve(name?: string): Promise<ResolvedProvider> {
    const { name: resolvedName, settings } = await this.settings(name);
    const discovery = await this.serverMetadata(settings);
    const known = this.#resolved.get(discovery);
    if (
      known?.name === resolvedName &&
      this.#configurations.get(resolvedName)?.configuration === known.configuration
    )
      return known;
    checkDiscoveredEndpoints(settings, discovery);
    if (settings.clientMetadataUrl) assertClientIdMetadataSupported(resolvedName, discovery.metadata);
    if (!settings.clientId) {
      throw new OAuthToolError(
        'not_configured',
        `Provider "${resolvedName}" has no clientId. Set "clientId" in its config, or register a client.`,
        { next: { action: 'register_client' } },
      );
    }
    const key = JSON.stringify([
      settings.clientId,
      settings.clientSecret,
      settings.tokenEndpointAuthMethod,
      settings.clientPrivateKey,
      settings.scopeSeparator,
      discovery.metadata,
    ]);
    const cached = this.#configurations.get(resolvedName);
    if (cached?.key === key) return this.#remember(discovery, resolvedName, settings, cached.configuration);
    let configuration = this.#shared.configurations.get(key);
    if (!configuration) {
      const oidc = await loadOpenIdClient();
      configuration = new oidc.Configuration(
        discovery.metadata,
        settings.clientId,
        undefined,
        await clientAuthentication(oidc, settings),
      );
      configuration.timeout = Math.ceil(this.#options.timeoutMs / 1000);
      applyTransport(oidc, configuration, this.outboundFetch(settings));
      this.#shared.configurations.set(key, configuration);
    }
    this.#configurations.set(resolvedName, { key, configuration });
    return this.#remember(discovery, resolvedName, settings, configuration);
  }

  #remember(
    discovery: DiscoveryResult,
    name: string,
    settings: ProviderConfig,
    configuration: client.Configuration,
  ): ResolvedProvider {
    const provider = { name, settings, configuration, metadata: discovery.metadata };
    this.#resolved.set(discovery, provider);
    return provider;
  }

  /** The same merged metadata object for the same settings and discovery, so resolve can recognise it. */
  #withConfigured(settings: ProviderConfig, discovered: DiscoveryResult | undefined): DiscoveryResult {
    const known = this.#merged.get(settings);
    if (known && known.discovered === discovered) return known.merged;
    const merged = withConfiguredMetadata(settings, discovered);
    this.#merged.set(settings, { ...(discovered ? { discovered } : {}), merged });
    return merged;
  }

  /** Discovers an issuer's metadata, once per issuer; a failure is not cached. */
  discover(issuer: string): Promise<DiscoveryResult> {
    const problem = urlProblem(issuer);
    if (problem)
      return Promise.reject(new OAuthToolError('invalid_input', `Cannot use that issuer: ${problem}.`));
    const normalised = issuerKey(issuer);
    const discoveries = this.#shared.discoveries;
    let pending = discoveries.get(normalised);
    if (!pending) {
      // As given: an issuer with a path is compared exactly, trailing slash included (Auth0's has one).
      pending = loadOpenIdClient().then((oidc) =>
        discoverDocuments(oidc, issuer, {
          timeoutMs: this.#options.timeoutMs,
          fetch: this.outboundFetch(),
        }),
      );
      discoveries.set(normalised, pending);
      pending.catch(() => discoveries.delete(normalised));
    }
    return pending;
  }

  /** Forgets a provider's cached Configuration (after its client was updated or deleted). */
  forget(name: string): void {
    this.#configurations.delete(name);
  }

  /** The configured default, else the only provider there is. */
  #defaultOf(names: string[]): string | undefined {
    return this.#options.defaultProvider || (names.length === 1 ? names[0] : undefined);
  }

  async #defaultName(): Promise<string> {
    if (this.#options.defaultProvider) return this.#options.defaultProvider;
    const names = await this.providerNames();
    const only = this.#defaultOf(names);
    if (only) return only;
    throw new OAuthToolError(
      'invalid_input',
      names.length === 0
        ? 'No provider is configured. Add one under "providers" in the config (or set OAUTH_ISSUER and OAUTH_CLIENT_ID), or run with --demo.'
        : `Several providers are configured (${names.join(', ')}) and no defaultProvider is set: pass "provider".`,
    );
  }
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
