// The audit's MCP section: what the MCP authorization spec (2025-11-25) asks of an authorization server.

import { TOKEN_EXCHANGE_GRANT } from '../tokens/token-exchange.js';
import { type AuditCheck, fail, info, pass, warn } from './audit-verdict.js';

export function mcpChecks(m: Record<string, unknown>, s256: boolean): AuditCheck[] {
  const cimd = m.client_id_metadata_document_supported === true;
  const grants = Array.isArray(m.grant_types_supported) ? m.grant_types_supported : undefined;
  return [
    pass(
      'mcp_metadata',
      'MCP authorization 2.3, RFC 8414',
      'Metadata is discoverable, as MCP clients require.',
    ),
    s256
      ? pass(
          'mcp_pkce',
          'MCP authorization (PKCE)',
          'S256 is listed in code_challenge_methods_supported, which MCP clients check before signing in.',
        )
      : fail(
          'mcp_pkce',
          'MCP authorization (PKCE)',
          'MCP clients MUST refuse to sign in when code_challenge_methods_supported does not list S256.',
          'List S256 in code_challenge_methods_supported.',
        ),
    cimd || m.registration_endpoint
      ? pass(
          'mcp_registration',
          'MCP authorization (client registration)',
          `MCP clients can get a client id without an administrator (${cimd ? 'client ID metadata documents' : 'dynamic registration, RFC 7591'}).`,
        )
      : warn(
          'mcp_registration',
          'MCP authorization (client registration)',
          'Neither client ID metadata documents nor dynamic registration: every MCP client needs a pre-registered client id.',
          'Support client_id_metadata_document_supported or RFC 7591 registration.',
        ),
    info(
      'token_exchange',
      'RFC 8693, MCP security best practices (no token passthrough)',
      grants?.includes(TOKEN_EXCHANGE_GRANT)
        ? "Token exchange is offered (grant_types_supported lists it): a server can trade a user's token for a narrowed one of its own instead of passing it on (token exchange and on-behalf-of work here)."
        : `Token exchange is not offered (${grants ? 'grant_types_supported does not list it' : 'grant_types_supported is not published'}): MCP servers behind this server cannot get narrowed downstream tokens for a user without a separate sign-in.`,
    ),
    info(
      'mcp_resource',
      'RFC 8707, RFC 9728',
      "MCP clients send the resource parameter (RFC 8707) and find this server through the MCP server's protected resource metadata (RFC 9728); neither is advertised in AS metadata, so check that tokens carry the MCP server as audience (the token doctor shows `aud`).",
    ),
  ];
}
