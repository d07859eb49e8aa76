// The advice of the one error mapping, as data: per operation and condition, the code, the public message and the next step.

import { type ErrorCode, type NextStep, OAuthToolError } from '../errors.js';
import { LOOPBACK_REDIRECT_URI } from './views.js';

/** What we were doing, which picks the advice: a 401 at registration wants an initial access token, at management the registration token is dead. */
type Operation = 'callback' | 'register' | 'manage_client' | 'other';

export interface ErrorContext {
  /** In the user's terms ("registering a client at https://as.example"): messages read "<action> failed: <why>. <what to do>". */
  action: string;
  operation?: Operation;
  provider?: string;
  sessionId?: string;
  /** The `state` a callback expected: tells a wrong state from a wrong issuer (RFC 9207). */
  expectedState?: string;
  /** The caller's signal (the MCP request's): once aborted, a failure is a cancellation, not a timeout. */
  signal?: AbortSignal;
}

export type Condition =
  | 'cancelled'
  | 'timeout'
  | 'url_refused'
  | 'unreachable'
  | 'too_large'
  | 'plain_http'
  | 'iss_mismatch'
  | 'state_mismatch'
  | 'sub_mismatch'
  | 'aud_form_encoded'
  | 'server_failure'
  | 'invalid_response'
  | 'unsupported'
  | 'token_rejected'
  | 'credential_rejected'
  | 'client_rejected'
  | 'not_allowed'
  | 'oauth_error'
  | 'unknown';

/** What the classification found; `why` is the public reason, `detail` goes to the log only. */
export interface Facts {
  condition: Condition;
  oauthError?: string;
  description?: string;
  status?: number;
  why?: string;
  detail?: string;
}

interface Advice {
  code: ErrorCode;
  message: (facts: Facts, ctx: ErrorContext) => string;
  next?: (facts: Facts, ctx: ErrorContext) => NextStep;
}

const failed = (ctx: ErrorContext) => `${capitalise(ctx.action)} failed`;
const because = (f: Facts) =>
  f.oauthError ? ` (${f.oauthError}${f.description ? `: ${f.description}` : ''})` : '';
const signIn = (_: Facts, ctx: ErrorContext): NextStep => ({
  action: 'sign_in',
  ...(ctx.provider ? { provider: ctx.provider } : {}),
});

/** The AS's `error` codes (RFC 6749 5.2, RFC 7591 3.2.2, RFC 8628 3.5) with what to do about each. */
export const OAUTH_ADVICE: Record<
  string,
  { advice: string; code?: ErrorCode; refused?: string; next?: Advice['next'] }
> = {
  invalid_client: {
    advice:
      'The server did not accept the client authentication (RFC 6749 section 5.2). Check the client id and secret of this provider, its tokenEndpointAuthMethod (client_secret_basic or client_secret_post, as the client is registered), and that the secret survives form-encoding: with client_secret_basic the id and secret are form-encoded (RFC 6749 section 2.3.1), which some servers do not decode, so client_secret_post may work where basic fails.',
  },
  invalid_grant: { advice: 'The grant (code or refresh token) is no longer valid.', next: signIn },
  invalid_scope: { advice: 'Request only scopes this client is allowed to use.' },
  invalid_target: {
    advice: 'The requested resource is not known to this authorization server or not allowed for the client.',
  },
  unauthorized_client: {
    advice: 'This client is not allowed to use that grant type; enable it on the authorization server.',
  },
  access_denied: { advice: 'The user or the server denied the request.' },
  invalid_redirect_uri: {
    code: 'invalid_input',
    refused: 'the redirect URIs',
    advice: `A native client uses the loopback redirect ${LOOPBACK_REDIRECT_URI} (any port) or a private-use scheme; a web client needs https URIs.`,
  },
  invalid_client_metadata: {
    code: 'invalid_input',
    refused: 'the client metadata',
    advice:
      'Check grant_types, response_types, token_endpoint_auth_method and scope against what the server says it supports.',
    next: (_, ctx) => ({ action: 'discover', ...(ctx.provider ? { provider: ctx.provider } : {}) }),
  },
};

/** Advice for every operation, unless ADVICE_BY_OPERATION has its own for the condition. */
const DEFAULT_ADVICE: Record<Condition, Advice> = {
  cancelled: {
    code: 'cancelled',
    message: (_, ctx) => `${capitalise(ctx.action)} was cancelled before the server answered.`,
  },
  timeout: {
    code: 'timeout',
    message: (_, ctx) =>
      `${capitalise(ctx.action)} timed out: the server did not answer in time. Check that it is up, or raise "timeoutMs" in the config.`,
  },
  url_refused: { code: 'forbidden', message: (f, ctx) => `${capitalise(ctx.action)} was refused: ${f.why}.` },
  unreachable: { code: 'network_error', message: (f, ctx) => `${failed(ctx)}: ${f.why}.` },
  too_large: { code: 'invalid_response', message: (f, ctx) => `${failed(ctx)}: ${f.why}.` },
  plain_http: {
    code: 'forbidden',
    message: (_, ctx) =>
      `${capitalise(ctx.action)} was refused: plain http is allowed only to loopback addresses. Use an https:// URL.`,
  },
  iss_mismatch: {
    code: 'invalid_response',
    message: (_, ctx) =>
      `${failed(ctx)}: the response did not come from the expected authorization server (its "iss" does not match, RFC 9207), so it was refused and nothing was signed in.`,
  },
  state_mismatch: {
    code: 'invalid_response',
    message: (_, ctx) =>
      `${failed(ctx)}: the response carried the wrong "state", so it was refused and nothing was signed in.`,
  },
  sub_mismatch: {
    code: 'invalid_response',
    message: (_, ctx) =>
      `${failed(ctx)}: the server answered for a different user than the one signed in (sub mismatch, OIDC Core 5.3.4). The response was discarded.`,
    next: signIn,
  },
  aud_form_encoded: {
    code: 'invalid_response',
    message: (f, ctx) =>
      `${failed(ctx)}: the ID token's audience is the client id form-encoded, as client_secret_basic sends it (${f.why}, RFC 6749 section 2.3.1): the server did not decode the credentials, so the ID token was refused and nothing was signed in. Set "tokenEndpointAuthMethod": "client_secret_post" on the provider (the client id then goes in the form body, unencoded), then sign in again.`,
    next: signIn,
  },
  server_failure: {
    code: 'invalid_response',
    message: (f, ctx) =>
      `${failed(ctx)}: the server answered HTTP ${f.status} (a server-side failure). It may be down or overloaded: retry later, or check the server's status.`,
    next: () => ({ action: 'retry' }),
  },
  invalid_response: {
    code: 'invalid_response',
    message: (f, ctx) =>
      `${failed(ctx)}: the server's response was not a valid OAuth response (${f.why}). Check that the issuer URL points at an OAuth 2 / OpenID Connect authorization server.`,
  },
  unsupported: {
    code: 'not_configured',
    message: (f, ctx) => `${capitalise(ctx.action)} is not possible: ${f.why}.`,
  },
  token_rejected: {
    code: 'not_authenticated',
    message: (f, ctx) => `${failed(ctx)}: the server rejected the access token (HTTP ${f.status ?? 401}).`,
    next: (_, ctx) => ({ action: 'sign_in', ...(ctx.sessionId ? { session_id: ctx.sessionId } : {}) }),
  },
  credential_rejected: {
    code: 'not_authenticated',
    message: (f, ctx) =>
      `${failed(ctx)}: the server rejected our credential (HTTP ${f.status}${because(f)}).`,
  },
  client_rejected: {
    code: 'oauth_error',
    message: (f, ctx) =>
      `${failed(ctx)}: the authorization server refused the client (HTTP ${f.status} asking for client authentication: invalid_client). ${OAUTH_ADVICE.invalid_client?.advice}`,
  },
  not_allowed: {
    code: 'forbidden',
    message: (f, ctx) => `${capitalise(ctx.action)} was refused (HTTP ${f.status}${because(f)}).`,
  },
  oauth_error: {
    code: 'oauth_error',
    message: (f, ctx) => {
      const known = OAUTH_ADVICE[f.oauthError ?? ''];
      return `${failed(ctx)}: the authorization server answered "${f.oauthError}"${f.description ? ` (${f.description})` : ''}. ${known?.advice ?? 'See the error description from the authorization server.'}`;
    },
  },
  unknown: {
    code: 'internal',
    message: (f, ctx) =>
      `${capitalise(ctx.action)} failed unexpectedly: ${f.why}. This is a bug in oauth-mcp if it persists.`,
  },
};

/** Where an operation's advice differs from the default. */
const ADVICE_BY_OPERATION: Partial<Record<Operation, Partial<Record<Condition, Advice>>>> = {
  callback: {
    iss_mismatch: { ...DEFAULT_ADVICE.iss_mismatch, next: signIn },
    state_mismatch: { ...DEFAULT_ADVICE.state_mismatch, next: signIn },
  },
  register: {
    credential_rejected: {
      code: 'not_authenticated',
      message: (f, ctx) =>
        `${capitalise(ctx.action)} was refused (HTTP ${f.status}${f.oauthError ? ` ${f.oauthError}` : ''}${f.description ? ` (${f.description})` : ''}): the authorization server requires an initial access token, or rejected the one given. Get one from its operator and pass initial_access_token (or set "initialAccessToken" on the provider in the config).`,
    },
  },
  manage_client: {
    credential_rejected: {
      code: 'not_authenticated',
      message: (f, ctx) =>
        `${failed(ctx)}: the authorization server rejected the stored registration access token (HTTP ${f.status}${because(f)}). It expired, was rotated by an update made elsewhere, or the client was deleted there. oauth-mcp cannot manage this client any more: register a new one, and forget this profile.`,
      next: (_, ctx) => ({ action: 'forget_client', ...(ctx.provider ? { provider: ctx.provider } : {}) }),
    },
    not_allowed: {
      code: 'forbidden',
      message: (f, ctx) =>
        `${capitalise(ctx.action)} was refused (HTTP 403${because(f)}): the authorization server does not allow this client to manage its own registration. Ask its operator.`,
    },
    invalid_response: {
      code: 'invalid_response',
      message: (f, ctx) =>
        `${failed(ctx)}: the registration client URI answered HTTP ${f.status} without an OAuth error. Check that the authorization server supports RFC 7592.`,
    },
  },
};

/** The error for what classify() found, in the words of the operation's advice. */
export function build(facts: Facts, ctx: ErrorContext, cause: unknown): OAuthToolError {
  const operation = ADVICE_BY_OPERATION[ctx.operation ?? 'other'] ?? {};
  const oauthAdvice = facts.oauthError ? OAUTH_ADVICE[facts.oauthError] : undefined;
  let advice = operation[facts.condition] ?? DEFAULT_ADVICE[facts.condition];
  if (facts.condition === 'oauth_error' && oauthAdvice?.code) {
    advice = {
      code: oauthAdvice.code,
      message: (f) =>
        `${failed(ctx)}: the authorization server refused ${oauthAdvice.refused ?? 'it'} (${f.oauthError}${f.description ? `: ${f.description}` : ''}). ${oauthAdvice.advice}`,
    };
  }
  const next = advice.next ?? (facts.condition === 'oauth_error' ? oauthAdvice?.next : undefined);
  return new OAuthToolError(advice.code, advice.message(facts, ctx), {
    ...(facts.oauthError ? { oauthError: facts.oauthError } : {}),
    ...(facts.description ? { oauthErrorDescription: facts.description } : {}),
    ...(facts.detail ? { detail: facts.detail } : {}),
    ...(next ? { next: next(facts, ctx) } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
