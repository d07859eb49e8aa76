// Where a server's endpoints come from: its OpenID Connect and RFC 8414 documents, both read and merged
// (the OIDC one wins on conflicts), and the provider's own `metadata`, merged over them or used alone
// (with `discovery: false`, or when the server publishes neither document).

import type * as client from 'openid-client';
import type { ProviderConfig } from '../../config/index.js';
import { needsInsecureTransport } from '../../net/outbound-policy.js';

/** The error mapping (and oauth4webapi's error classes) loads on the first failure, not at start-up. */
const loadErrorMapping = () => import('../error-mapping.js');

type MetadataDocument = 'openid-configuration' | 'oauth-authorization-server';
export type MetadataSource = MetadataDocument | 'config';

export interface DiscoveryResult {
  issuer: string;
  /** The document that answered (the OIDC one when both did), or `config` when discovery is off. */
  source: MetadataSource;
  /** Every document read, in order of precedence. */
  documents: MetadataDocument[];
  metadata: client.ServerMetadata;
  /** Where each field of `metadata` came from. */
  sources: Record<string, MetadataSource>;
}

/** Reads both well-known documents at once; either may be missing (404), not both. */
export async function discoverDocuments(
  oidc: typeof client,
  issuer: string,
  options: { timeoutMs: number; fetch: client.CustomFetch },
): Promise<DiscoveryResult> {
  const url = new URL(issuer);
  const requestOptions: client.DiscoveryRequestOptions = {
    timeout: Math.ceil(options.timeoutMs / 1000),
    [oidc.customFetch]: options.fetch,
    ...(needsInsecureTransport(url) ? { execute: [oidc.allowInsecureRequests] } : {}),
  };
  const read = (algorithm: 'oidc' | 'oauth2') =>
    oidc
      .discovery(url, 'oauth-mcp-discovery', undefined, undefined, { ...requestOptions, algorithm })
      .then((found) => found.serverMetadata());
  const [openid, oauth] = await Promise.allSettled([read('oidc'), read('oauth2')]);
  // A failing OIDC document is an error unless it is simply absent; then the RFC 8414 one must answer.
  if (openid.status === 'rejected' && !isNotFound(openid.reason)) {
    throw (await loadErrorMapping()).toToolError(openid.reason, `discovering ${issuer}`);
  }
  if (openid.status === 'rejected' && oauth.status === 'rejected') {
    throw (await loadErrorMapping()).toToolError(oauth.reason, `discovering ${issuer}`);
  }
  const found: [MetadataDocument, client.ServerMetadata][] = [];
  if (openid.status === 'fulfilled') found.push(['openid-configuration', openid.value]);
  if (oauth.status === 'fulfilled') found.push(['oauth-authorization-server', oauth.value]);
  const metadata: Record<string, unknown> = {};
  const sources: Record<string, MetadataSource> = {};
  for (const [document, fields] of [...found].reverse()) {
    for (const [field, value] of Object.entries(fields)) {
      metadata[field] = value;
      sources[field] = document;
    }
  }
  const [primary] = found[0] ?? [];
  return {
    issuer: metadata.issuer as string,
    source: primary ?? 'oauth-authorization-server',
    documents: found.map(([document]) => document),
    metadata: metadata as client.ServerMetadata,
    sources,
  };
}

/** The provider's `metadata` over what discovery found (or alone, with `discovery: false`). */
export function withConfiguredMetadata(
  settings: ProviderConfig,
  discovered: DiscoveryResult | undefined,
): DiscoveryResult {
  const own = Object.fromEntries(
    Object.entries({ ...settings.metadata, issuer: settings.issuer }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  if (!discovered) {
    return {
      issuer: settings.issuer,
      source: 'config',
      documents: [],
      metadata: own as client.ServerMetadata,
      sources: Object.fromEntries(Object.keys(own).map((field) => [field, 'config' as const])),
    };
  }
  // The issuer discovery validated stays (it may differ in form, e.g. a trailing slash or Entra's tenant id).
  const { issuer: _configured, ...overrides } = own;
  return {
    ...discovered,
    metadata: { ...discovered.metadata, ...overrides } as client.ServerMetadata,
    sources: {
      ...discovered.sources,
      ...Object.fromEntries(Object.keys(overrides).map((field) => [field, 'config' as const])),
    },
  };
}

/**
 * What a registered client keeps of the provider it was registered through: the server's endpoints
 * and quirks, not the client (id, secret, scopes, redirect URI come from the registration).
 */
export function serverSettings(issuer: string, source: ProviderConfig | undefined): ProviderConfig {
  const kept = SERVER_SETTINGS.flatMap((key) => (source?.[key] === undefined ? [] : [[key, source[key]]]));
  return { ...Object.fromEntries(kept), issuer } as ProviderConfig;
}

const SERVER_SETTINGS = [
  'discovery',
  'metadata',
  'resource',
  'scopeSeparator',
  'offlineAccess',
  'refreshWithScope',
  'authorizationParams',
  'tokenParams',
  'jwtTypes',
] as const satisfies readonly (keyof ProviderConfig)[];

/** Discovery failed because the server publishes neither document (both answered 404), not for another reason. */
export function documentsAbsent(error: unknown): boolean {
  return error instanceof Error && isNotFound(error.cause);
}

/** The provider's `metadata` names at least one endpoint: something to use when the server publishes no documents. */
export function hasConfiguredEndpoints(settings: ProviderConfig): boolean {
  return Object.entries(settings.metadata ?? {}).some(
    ([field, value]) => (field.endsWith('_endpoint') || field === 'jwks_uri') && typeof value === 'string',
  );
}

/** openid-client reports a non-200 metadata response with the Response as its cause. */
function isNotFound(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response && cause.status === 404;
}
