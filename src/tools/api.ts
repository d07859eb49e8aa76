// Toolset "api": use a signed-in session: OIDC userinfo and HTTP calls to allowed APIs with its token.

import { z } from 'zod';
import { API_METHODS, DEFAULT_MAX_BODY_BYTES } from '../auth/views.js';
import { capped, cappedFields, LIMITS, oauth, providerInput, sessionIdInput } from './common.js';
import { defineTool } from './tool.js';

/** A value sent as JSON is at most LIMITS.body characters once serialised. */
const withinBodyLimit = (value: unknown) =>
  value === undefined || (JSON.stringify(value)?.length ?? 0) <= LIMITS.body;

export const userinfoTool = defineTool({
  name: 'oauth_userinfo',
  toolset: 'api',
  title: 'Get the signed-in user (OIDC userinfo)',
  description:
    "Ask the OpenID Connect userinfo endpoint who a session's user is (sub, name, email, ...). Needs a signed-in user session with the openid scope.",
  input: () => z.object({ provider: providerInput(), session_id: sessionIdInput() }),
  output: () =>
    z.object({
      session_id: z.string(),
      provider: z.string(),
      subject: z.string().describe('the user identifier (sub), equal to the ID token subject'),
      claims: z.record(z.string(), z.unknown()).describe('every claim the userinfo endpoint returned'),
      refreshed: z.boolean().describe('true when the tokens were refreshed before the call'),
    }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, { engine }) =>
    (await oauth()).userInfo(engine.ctx, { provider: args.provider, sessionId: args.session_id }),
});

export const callApiTool = defineTool({
  name: 'oauth_call_api',
  toolset: 'api',
  title: 'Call an API with a session token',
  description:
    "Make an HTTP request with a session's access token (never shown) to an API origin the config allows; an expired token is refreshed and the request retried once.",
  input: () =>
    z.object({
      provider: providerInput(),
      session_id: sessionIdInput(),
      method: z.enum(API_METHODS).optional().describe('Default GET'),
      url: capped('url', LIMITS.apiUrl).url().describe('Absolute URL at an allowed origin'),
      query: cappedFields('query parameter').optional().describe('Added to the URL'),
      headers: cappedFields('header').optional().describe('Request headers (not the credential or DPoP)'),
      body: z
        .union([capped('body', LIMITS.body), z.record(z.string(), z.unknown()), z.array(z.unknown())])
        .refine((value) => typeof value === 'string' || withinBodyLimit(value), {
          message: `body is too large (at most ${LIMITS.body} characters serialised)`,
        })
        .optional()
        .describe('A string sent as is, or an object or array sent as JSON'),
      json: z
        .unknown()
        .refine(withinBodyLimit, {
          message: `json is too large (at most ${LIMITS.body} characters serialised)`,
        })
        .optional()
        .describe('Any value, sent as a JSON body (like an object body)'),
      max_body_bytes: z
        .number()
        .int()
        .positive()
        .max(1_048_576)
        .optional()
        .describe(`Cut the response body here (default ${DEFAULT_MAX_BODY_BYTES})`),
    }),
  output: () =>
    z.object({
      status: z.number().int(),
      status_text: z.string(),
      url: z.string().describe('the URL that answered, after same-origin redirects'),
      headers: z.record(z.string(), z.string()).describe('response headers, without set-cookie'),
      json: z.unknown().optional().describe('the parsed body of a JSON response'),
      body: z.string().optional().describe('the body of a textual, non-JSON response'),
      body_base64: z.string().optional().describe('the body of a binary response'),
      truncated: z.boolean().describe('true when the body was longer than max_body_bytes and was cut'),
      redirect_not_followed: z
        .string()
        .optional()
        .describe(
          'the API redirected to another origin; the redirect was not followed so the token stays put',
        ),
      session_id: z.string(),
      refreshed: z
        .boolean()
        .describe('true when the session was refreshed for this call (expiring token or 401)'),
    }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, { engine, signal }) =>
    (await oauth()).callApi(engine.ctx, {
      provider: args.provider,
      sessionId: args.session_id,
      method: args.method,
      url: args.url,
      query: args.query,
      headers: args.headers,
      body: args.body,
      json: args.json,
      maxBodyBytes: args.max_body_bytes,
      signal,
    }),
});
