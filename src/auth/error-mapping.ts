// The one mapping onto OAuthToolError: classifies what openid-client, oauth4webapi, fetch or our outbound policy threw by class and code, then looks the advice up in a table per operation.

import * as oauth from 'oauth4webapi';
import { OutboundError } from '../net/guarded-fetch.js';
import { redactCut } from '../secrets/index.js';
import { capitalise, LOOPBACK_REDIRECT_URI } from './client-information.js';
import { type ErrorCode, type NextStep, OAuthToolError } from './errors.js';

/** What we were doing, which picks the advice: the same `invalid_grant` means different things at a callback and a refresh. */
export type Operation = 'callback' | 'register' | 'manage_client' | 'other';

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
  | 'plain_http'
  | 'iss_mismatch'
  | 'state_mismatch'
  | 'sub_mismatch'
  | 'server_failure'
  | 'invalid_response'
  | 'unsupported'
  | 'token_rejected'
  | 'credential_rejected'
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
const OAUTH_ADVICE: Record<string, Partial<Advice> & { advice: string; code?: ErrorCode; refused?: string }> =
  {
    invalid_client: {
      advice: 'Check the client id and secret (and tokenEndpointAuthMethod) of this provider.',
    },
    invalid_grant: { advice: 'The grant (code or refresh token) is no longer valid.', next: signIn },
    invalid_scope: { advice: 'Request only scopes this client is allowed to use.' },
    invalid_target: {
      advice:
        'The requested resource is not known to this authorization server or not allowed for the client.',
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

/** Maps anything thrown onto the one error family. An OAuthToolError passes through unchanged. */
export function toToolError(
  thrown: unknown,
  context: ErrorContext | string = 'the operation',
): OAuthToolError {
  if (thrown instanceof OAuthToolError) return thrown;
  const ctx = typeof context === 'string' ? { action: context } : context;
  return build(classify(thrown, ctx), ctx, thrown);
}

/** An HTTP answer we read ourselves (RFC 7592 management): status and the JSON error body, if any. */
export function answerError(
  status: number,
  body: { error?: string; error_description?: string } | undefined,
  ctx: ErrorContext,
): OAuthToolError {
  const fields = {
    status,
    ...(typeof body?.error === 'string' ? { oauthError: body.error } : {}),
    ...(typeof body?.error_description === 'string' ? { description: body.error_description } : {}),
    detail: `HTTP ${status} ${body?.error ?? ''}`.trim(),
  };
  return build({ ...fields, condition: statusCondition(status, fields.oauthError) }, ctx, undefined);
}

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

/** By class and code, never by message text. */
export function classify(thrown: unknown, ctx: ErrorContext): Facts {
  const error = (thrown ?? {}) as { name?: string; code?: string; message?: string; cause?: unknown };
  const detail = `${error.name ?? 'Error'}${error.code ? ` ${error.code}` : ''}: ${error.message ?? String(thrown)}`;
  if (ctx.signal?.aborted) return { condition: 'cancelled', detail };
  const outbound = causeChain(thrown).find((c): c is OutboundError => c instanceof OutboundError);
  if (outbound) {
    return outbound.code === 'OUTBOUND_URL_REFUSED'
      ? { condition: 'url_refused', why: outbound.message, detail: outbound.detail }
      : {
          condition: 'unreachable',
          why: `${outbound.origin} could not be reached: ${outbound.message}`,
          detail: outbound.detail,
        };
  }
  if (thrown instanceof oauth.ResponseBodyError || thrown instanceof oauth.AuthorizationResponseError) {
    const status = thrown instanceof oauth.ResponseBodyError ? thrown.status : undefined;
    const refusedRegistration =
      ctx.operation === 'register' && (status === 401 || status === 403) && !OAUTH_ADVICE[thrown.error]?.code;
    return {
      condition: refusedRegistration ? 'credential_rejected' : 'oauth_error',
      oauthError: thrown.error,
      ...(thrown.error_description ? { description: thrown.error_description } : {}),
      ...(status === undefined ? {} : { status }),
      detail,
    };
  }
  if (thrown instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 at the token endpoint names the AS's error in its challenge; a resource server's may not.
    const parameters = thrown.cause[0]?.parameters;
    if (ctx.operation === 'register')
      return {
        condition: 'credential_rejected',
        status: thrown.status,
        ...(parameters?.error ? { oauthError: parameters.error } : {}),
        detail,
      };
    if (!parameters?.error) return { condition: 'token_rejected', status: thrown.status, detail };
    return {
      condition: 'oauth_error',
      oauthError: parameters.error,
      ...(parameters.error_description ? { description: parameters.error_description } : {}),
      status: thrown.status,
      detail,
    };
  }
  if (
    causeChain(thrown).some((c) => (c as { name?: string }).name === 'TimeoutError') ||
    error.code === 'OAUTH_TIMEOUT'
  )
    return { condition: 'timeout', detail };
  if (error.name === 'AbortError' || error.code === 'OAUTH_ABORT') return { condition: 'cancelled', detail };
  // openid-client rethrows oauth4webapi's failures as a ClientError with the same code and the original as cause.
  if (error.code === oauth.UNSUPPORTED_OPERATION || error.code === oauth.MISSING_SERVER_METADATA) {
    const inner = causeChain(thrown).findLast((c): c is Error => c instanceof Error);
    return {
      condition: 'unsupported',
      why: inner?.message ?? 'the authorization server does not support it',
      detail,
    };
  }
  if (error.code === oauth.HTTP_REQUEST_FORBIDDEN || error.code === oauth.REQUEST_PROTOCOL_FORBIDDEN)
    return { condition: 'plain_http', detail };
  if (error.code !== undefined && VALIDATION_CODES.has(error.code))
    return validationFacts(thrown, error.code, ctx, detail);
  if (error.name === 'TypeError' && error.cause !== undefined && isSystemError(error.cause)) {
    const why = describeNetworkCause(error.cause);
    return {
      condition: 'unreachable',
      why: `could not reach the server (${why}). Check the URL and that the server is running`,
      detail: `${detail} (${why})`,
    };
  }
  return { condition: 'unknown', why: error.message ?? 'unknown error', detail };
}

const VALIDATION_CODES = new Set<string>([
  oauth.RESPONSE_IS_NOT_JSON,
  oauth.RESPONSE_IS_NOT_CONFORM,
  oauth.INVALID_RESPONSE,
  oauth.PARSE_ERROR,
  oauth.JSON_ATTRIBUTE_COMPARISON,
  oauth.JWT_CLAIM_COMPARISON,
  oauth.JWT_TIMESTAMP_CHECK,
  oauth.INVALID_SERVER_METADATA,
  oauth.KEY_SELECTION,
  'OAUTH_DECRYPTION_FAILED',
]);

/** oauth4webapi's validation failures; the callback's iss and state checks carry the parameters and what was expected. */
function validationFacts(thrown: unknown, code: string, ctx: ErrorContext, detail: string): Facts {
  const chain = causeChain(thrown);
  const processing = chain.find(
    (c): c is oauth.OperationProcessingError => c instanceof oauth.OperationProcessingError,
  );
  const cause = processing?.cause as
    | { expected?: unknown; parameters?: unknown; attribute?: string }
    | undefined;
  if (code === oauth.INVALID_RESPONSE && cause?.parameters instanceof URLSearchParams) {
    const stateCheck = ctx.expectedState !== undefined && cause.expected === ctx.expectedState;
    return { condition: stateCheck ? 'state_mismatch' : 'iss_mismatch', detail };
  }
  if (code === oauth.JSON_ATTRIBUTE_COMPARISON && cause?.attribute === 'sub')
    return { condition: 'sub_mismatch', detail };
  const status = chain.find((c): c is Response => c instanceof Response)?.status;
  if (status !== undefined && status >= 500) return { condition: 'server_failure', status, detail };
  const message = processing?.message ?? (thrown as Error).message ?? 'unexpected content';
  const why =
    code === oauth.RESPONSE_IS_NOT_JSON
      ? 'it is not JSON'
      : redactCut(message.replace(/\s+/g, ' ').slice(0, 200));
  return { condition: 'invalid_response', why, detail };
}

function statusCondition(status: number, oauthError: string | undefined): Condition {
  if (status === 401 || status === 404) return 'credential_rejected';
  if (status === 403) return 'not_allowed';
  if (oauthError) return 'oauth_error';
  if (status >= 500) return 'server_failure';
  return 'invalid_response';
}

function causeChain(thrown: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = thrown, depth = 0; depth < 5 && current; depth++) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function isSystemError(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && ('code' in cause || 'errors' in cause);
}

function describeNetworkCause(cause: unknown): string {
  const c = cause as { code?: string; message?: string } | undefined;
  if (!c) return 'network error';
  if (c.code === 'ECONNREFUSED') return 'connection refused';
  if (c.code === 'ENOTFOUND') return 'host not found';
  if (c.code === 'ECONNRESET') return 'connection reset';
  return c.code ?? c.message ?? 'network error';
}
