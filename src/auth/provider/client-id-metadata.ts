// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, preferred by the MCP authorization
// spec): a provider's `clientMetadataUrl` is its client id where the server advertises support, and in HTTP mode
// oauth-mcp serves the document of each such provider itself (at CLIENT_METADATA_PATH in views.ts).

import { keyObjectOf } from '../../config/private-key.js';
import { OAuthToolError } from '../../errors.js';
import type { ProviderRegistry, ServerMetadata } from './registry.js';

/** Throws unless the server says it accepts a metadata document URL as client id: nothing is sent otherwise. */
export function assertClientIdMetadataSupported(name: string, metadata: ServerMetadata): void {
  if ((metadata as Record<string, unknown>).client_id_metadata_document_supported === true) return;
  throw new OAuthToolError(
    'not_configured',
    `Provider "${name}" uses "clientMetadataUrl" as its client id, but its authorization server does not advertise client_id_metadata_document_supported, so it would not accept that URL. Give the provider a registered "clientId" instead (or register a client), and remove clientMetadataUrl.`,
    { next: { action: 'register_client' } },
  );
}

/**
 * The document oauth-mcp serves at `url` for provider `name` (HTTP mode, sign-ins redirecting to `callbackUrl`): only
 * for a provider of the config whose
 * clientMetadataUrl is exactly that URL; undefined otherwise. Public data only: the private key's public half.
 */
export async function clientMetadataDocument(
  registry: ProviderRegistry,
  callbackUrl: string | undefined,
  name: string,
  url: string,
): Promise<Record<string, unknown> | undefined> {
  if (!callbackUrl || !registry.isConfigured(name)) return undefined;
  const { settings } = await registry.settings(name);
  if (settings.clientMetadataUrl !== url) return undefined;
  const key = settings.clientPrivateKey ? keyObjectOf(settings.clientPrivateKey) : undefined;
  return {
    client_id: url,
    client_name: `oauth-mcp (${name})`,
    redirect_uris: [callbackUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: key ? 'private_key_jwt' : 'none',
    ...(settings.scopes?.length ? { scope: settings.scopes.join(' ') } : {}),
    ...(key ? { jwks: { keys: [publicJwk(key)] } } : {}),
  };
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

function publicJwk({ jwk, kid, alg }: ReturnType<typeof keyObjectOf>): Record<string, unknown> {
  const members = Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member));
  return { ...Object.fromEntries(members), alg, use: 'sig', ...(kid ? { kid } : {}) };
}
