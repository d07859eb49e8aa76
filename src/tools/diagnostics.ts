// Toolset "diagnostics": the token doctor, the JWKS report and the server audit. All read-only.

import { z } from 'zod';
import { oauth, providerInput, sessionIdInput } from './common.js';
import { defineTool } from './tool.js';

const issuerInput = () => z.string().min(1).optional().describe('Issuer URL instead of a provider');

const status = () => z.enum(['pass', 'fail', 'warn', 'info']);

const readOnlyRemote = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

export const inspectTokenTool = defineTool({
  name: 'oauth_inspect_token',
  toolset: 'diagnostics',
  title: 'Inspect a token (token doctor)',
  description:
    'Answer "what is in this token and why is it refused?" for a session\'s token or a pasted one: JWT claims, signature, expiry, issuer, audience and binding checks, and a verdict with reasons.',
  input: () =>
    z.object({
      provider: providerInput(),
      session_id: sessionIdInput(),
      token_type: z
        .enum(['access_token', 'refresh_token', 'id_token'])
        .optional()
        .describe('Which token (default access_token)'),
      token: z.string().min(1).max(16_384).optional().describe("A pasted token instead of a session's"),
      expected_audience: z
        .string()
        .min(1)
        .max(2048)
        .optional()
        .describe("Audience the API expects (default: the session's resource)"),
    }),
  output: () =>
    z.object({
      verdict: z
        .enum(['valid', 'invalid', 'unverified'])
        .describe(
          'invalid: a check failed; unverified: nothing failed but the signature or status() could not be confirmed',
        ),
      reasons: z.array(z.string()).describe('The verdict in sentences'),
      provider: z.string(),
      token_type: z.enum(['access_token', 'refresh_token', 'id_token']),
      format: z.enum(['jwt', 'opaque']),
      token_sha256: z.string().describe('first 16 hex chars of the SHA-256 of the token'),
      session_id: z.string().optional(),
      header: z.record(z.string(), z.unknown()).optional().describe('JWT header (alg, kid, typ, ...)'),
      claims: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('JWT claims; nonce, at_hash, c_hash and s_hash only as sha256: fingerprints'),
      signature: z
        .object({
          verified: z.boolean(),
          kid: z.string().optional(),
          alg: z.string().optional(),
          key_type: z.string().optional(),
          message: z.string(),
        })
        .optional(),
      introspection: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("The server's RFC 7662 answer for an opaque token"),
      checks: z.array(z.object({ check: z.string(), status: status(), message: z.string() })),
    }),
  annotations: readOnlyRemote,
  handler: async (args, { engine }) =>
    (await oauth()).inspectToken(engine.ctx, {
      provider: args.provider,
      sessionId: args.session_id,
      tokenType: args.token_type,
      token: args.token,
      expectedAudience: args.expected_audience,
    }),
});

export const getJwksTool = defineTool({
  name: 'oauth_get_jwks',
  toolset: 'diagnostics',
  title: "Show a server's signing keys (JWKS)",
  description:
    "List an authorization server's signing keys with warnings about weak, duplicate, private or expiring keys. Use it when a signature does not verify.",
  input: () => z.object({ provider: providerInput(), issuer: issuerInput() }),
  output: () =>
    z.object({
      issuer: z.string(),
      provider: z.string().optional(),
      jwks_uri: z.string(),
      fetched_at: z.string().describe('When this copy of the key set was fetched (ISO 8601)'),
      keys: z.array(
        z.object({
          kid: z.string().optional(),
          kty: z.string(),
          alg: z.string().optional(),
          use: z.string().optional(),
          key_ops: z.array(z.string()).optional(),
          size_bits: z.number().optional().describe('RSA modulus or symmetric key length'),
          curve: z.string().optional().describe('EC or OKP curve'),
          thumbprint: z.string().optional().describe('RFC 7638 SHA-256 JWK thumbprint'),
          certificate: z
            .object({
              subject: z.string(),
              issuer: z.string(),
              not_before: z.string(),
              not_after: z.string(),
              expired: z.boolean(),
              expiry_in_words: z.string(),
            })
            .optional(),
          warnings: z.array(z.string()),
        }),
      ),
      warnings: z.array(z.string()).describe('Problems with the set as a whole or the metadata'),
    }),
  annotations: readOnlyRemote,
  handler: async (args, { engine }) =>
    (await oauth()).jwksReport(engine.ctx, { provider: args.provider, issuer: args.issuer }),
});

export const auditServerTool = defineTool({
  name: 'oauth_audit_server',
  toolset: 'diagnostics',
  title: 'Audit an authorization server',
  description:
    'Answer "is this server set up safely?": judges an authorization server\'s metadata and keys against the OAuth Security BCP (RFC 9700) and the MCP authorization spec, with scores and fixes.',
  input: () => z.object({ provider: providerInput(), issuer: issuerInput() }),
  output: () =>
    z.object({
      issuer: z.string(),
      provider: z.string().optional(),
      source: z.enum(['openid-configuration', 'oauth-authorization-server', 'config']),
      score: z.number().describe('0-100, the mean of the section scores'),
      sections: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          score: z
            .number()
            .optional()
            .describe('0-100; absent when the section has only informational checks'),
          checks: z.array(
            z.object({
              id: z.string(),
              status: status(),
              reference: z.string().describe('The RFC or spec section behind the check'),
              message: z.string(),
              fix: z.string().optional(),
            }),
          ),
        }),
      ),
      fixes: z.array(z.string()).describe('The changes that matter most, failures first'),
      probes: z.array(z.string()).describe('Every request the audit made'),
    }),
  annotations: readOnlyRemote,
  handler: async (args, { engine }) =>
    (await oauth()).auditServer(engine.ctx, { provider: args.provider, issuer: args.issuer }),
});
