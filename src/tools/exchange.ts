// Toolset "tokens", token exchange (RFC 8693): a session's or the caller's token traded for a narrower one.

import { z } from 'zod';
import { sessionViewSchema } from '../auth/views.js';
import { capped, LIMITS, oauth, providerInput, scopesInput, sessionIdInput } from './common.js';
import { defineTool } from './tool.js';

const TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:';

/** A token type by its short name; the RFC 8693 URN of the same type means the same and is accepted. */
function tokenTypeInput<T extends readonly [string, ...string[]]>(names: T) {
  return z.preprocess(
    (value) =>
      typeof value === 'string' && value.startsWith(TOKEN_TYPE_URN)
        ? value.slice(TOKEN_TYPE_URN.length)
        : value,
    z.enum(names),
  );
}

/** One value or a list of them: models send both for a multi-valued parameter. */
function oneOrMany(item: z.ZodString, what: string) {
  return z
    .union([item, z.array(item).min(1).max(10, `at most 10 ${what} values`)])
    .transform((value) => (typeof value === 'string' ? [value] : value))
    .optional();
}

const delegationClaimsSchema = () =>
  z
    .object({
      sub: z.string().optional(),
      aud: z.union([z.string(), z.array(z.string())]).optional(),
      scope: z.string().optional(),
      client_id: z.string().optional(),
      act: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('who acts on behalf of the subject (RFC 8693 4.1); nested `act` is the chain'),
      may_act: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('who may act for the subject (RFC 8693 4.4)'),
    })
    .describe(
      'claims of the issued token when it is a JWT (decoded, not verified: oauth_inspect_token verifies)',
    );

export const exchangeTokenTool = defineTool({
  name: 'oauth_exchange_token',
  toolset: 'tokens',
  title: 'Exchange a token for a narrowed one (RFC 8693)',
  description:
    "Trade a session's token (or, in HTTP mode, your own: subject caller) for a narrower one for another audience or API (RFC 8693 token exchange) instead of passing it on; the result is a new session.",
  input: () =>
    z.object({
      provider: providerInput(),
      subject: z.enum(['session', 'caller']).optional().describe('caller: your bearer token (HTTP mode)'),
      session_id: sessionIdInput(),
      subject_token_type: tokenTypeInput(['access_token', 'id_token'] as const)
        .optional()
        .describe('Default access_token'),
      audience: oneOrMany(capped('an audience', LIMITS.url).min(1), 'audience').describe('Service name(s)'),
      resource: oneOrMany(capped('a resource', LIMITS.url).url(), 'resource').describe('API URI(s)'),
      scopes: scopesInput().describe('Narrowed scopes'),
      requested_token_type: tokenTypeInput(['access_token', 'jwt', 'id_token', 'refresh_token'] as const)
        .optional()
        .describe('Default access_token'),
      actor: z.boolean().optional().describe('This client as actor (act claim)'),
    }),
  output: () =>
    z.object({
      session: sessionViewSchema,
      issued_token_type: z.string().describe('the RFC 8693 token type URN the server issued'),
      exchanged_from: z
        .string()
        .describe('the session whose token was exchanged, or "caller" for your own bearer token'),
      claims: delegationClaimsSchema().optional(),
    }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, { engine, mcp }) => {
    const { exchangeToken, OAuthToolError } = await oauth();
    const caller = args.subject === 'caller';
    if (caller && (args.session_id || args.subject_token_type)) {
      throw new OAuthToolError(
        'invalid_input',
        'subject "caller" exchanges your own bearer token: omit session_id and subject_token_type, or omit subject to exchange that session\'s token.',
      );
    }
    let subject: Parameters<typeof exchangeToken>[1]['subject'];
    if (caller) {
      const token = mcp.http?.authInfo?.token;
      if (!token) {
        throw new OAuthToolError(
          'invalid_input',
          'subject "caller" works only on an HTTP server with http.auth, where you call with a bearer token. Omit subject and pass session_id to exchange a stored session\'s token.',
        );
      }
      subject = { kind: 'caller', token };
    } else {
      subject = { kind: 'session', sessionId: args.session_id, tokenType: args.subject_token_type };
    }
    return exchangeToken(engine.ctx, {
      provider: args.provider,
      subject,
      audience: args.audience,
      resource: args.resource,
      scopes: args.scopes,
      requestedTokenType: args.requested_token_type,
      actor: args.actor,
    });
  },
});
