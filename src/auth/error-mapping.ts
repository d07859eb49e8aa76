// The one mapping onto OAuthToolError: classifies what openid-client, oauth4webapi, fetch or our outbound policy threw by class and code; error-advice.ts says what that means per operation.

import * as oauth from 'oauth4webapi';
import { OAuthToolError } from '../errors.js';
import { describeConnectionFailure, OutboundError } from '../net/guarded-fetch.js';
import { redactCut } from '../secrets/index.js';
import { build, type Condition, type ErrorContext, type Facts, OAUTH_ADVICE } from './error-advice.js';
import { errorBodyOf } from './error-bodies.js';

export type { ErrorContext } from './error-advice.js';

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

/** By class and code, never by message text. */
function classify(thrown: unknown, ctx: ErrorContext): Facts {
  const error = (thrown ?? {}) as { name?: string; code?: string; message?: string; cause?: unknown };
  const detail = `${error.name ?? 'Error'}${error.code ? ` ${error.code}` : ''}: ${error.message ?? String(thrown)}`;
  if (ctx.signal?.aborted) return { condition: 'cancelled', detail };
  const outbound = causeChain(thrown).find((c): c is OutboundError => c instanceof OutboundError);
  if (outbound) {
    if (outbound.code === 'OUTBOUND_URL_REFUSED')
      return { condition: 'url_refused', why: outbound.message, detail: outbound.detail };
    if (outbound.code === 'OUTBOUND_TOO_LARGE')
      return { condition: 'too_large', why: outbound.message, detail: outbound.detail };
    return {
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
    // RFC 6749 5.2: a failed client authentication is a 401 whose challenge names the client's scheme
    // (Basic), and whose body, when the challenge has no `error`, carries it. A resource server's
    // (Bearer, DPoP) challenge is about the access token.
    const aboutToken = thrown.cause.some((c) => c.scheme === 'bearer' || c.scheme === 'dpop');
    const named = parameters?.error
      ? { error: parameters.error, error_description: parameters.error_description }
      : aboutToken
        ? undefined
        : errorBodyOf(thrown.response);
    if (named)
      return {
        condition: 'oauth_error',
        oauthError: named.error,
        ...(named.error_description ? { description: named.error_description } : {}),
        status: thrown.status,
        detail,
      };
    if (thrown.cause.some((challenge) => challenge.scheme === 'basic'))
      return { condition: 'client_rejected', oauthError: 'invalid_client', status: thrown.status, detail };
    return { condition: 'token_rejected', status: thrown.status, detail };
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
  // fetch refuses the standard's "bad ports" (1, 6000, 10080, ...) before connecting: a URL to change, not a bug.
  if (
    error.name === 'TypeError' &&
    (error.cause as { message?: unknown } | undefined)?.message === 'bad port'
  ) {
    return {
      condition: 'unreachable',
      why: `its port is one fetch refuses to use (a "bad port" of the Fetch standard, e.g. 1, 6000 or 10080). Serve it on another port and change the URL`,
      detail: `${detail} (bad port)`,
    };
  }
  if (error.name === 'TypeError' && error.cause !== undefined && isSystemError(error.cause)) {
    const why = describeConnectionFailure(error.cause);
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
    | {
        expected?: unknown;
        parameters?: unknown;
        attribute?: string;
        claim?: string;
        claims?: { aud?: unknown };
      }
    | undefined;
  if (code === oauth.INVALID_RESPONSE && cause?.parameters instanceof URLSearchParams) {
    const stateCheck = ctx.expectedState !== undefined && cause.expected === ctx.expectedState;
    return { condition: stateCheck ? 'state_mismatch' : 'iss_mismatch', detail };
  }
  if (code === oauth.JSON_ATTRIBUTE_COMPARISON && cause?.attribute === 'sub')
    return { condition: 'sub_mismatch', detail };
  if (code === oauth.JWT_CLAIM_COMPARISON && cause?.claim === 'aud' && typeof cause.expected === 'string') {
    const encoded = formEncoded(cause.expected);
    const audience = [cause.claims?.aud].flat();
    if (encoded !== cause.expected && audience.includes(encoded))
      return { condition: 'aud_form_encoded', why: `"${encoded}" instead of "${cause.expected}"`, detail };
  }
  const status = chain.find((c): c is Response => c instanceof Response)?.status;
  if (status !== undefined && status >= 500) return { condition: 'server_failure', status, detail };
  const message = processing?.message ?? (thrown as Error).message ?? 'unexpected content';
  const why =
    code === oauth.RESPONSE_IS_NOT_JSON
      ? 'it is not JSON'
      : redactCut(message.replace(/\s+/g, ' ').slice(0, 200));
  return { condition: 'invalid_response', why, detail };
}

/** A client id as HTTP Basic authentication sends it: application/x-www-form-urlencoded (RFC 6749 2.3.1), as oauth4webapi encodes it. */
function formEncoded(clientId: string): string {
  return encodeURIComponent(clientId)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
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
