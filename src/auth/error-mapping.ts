// Maps anything thrown by openid-client, fetch or our own code onto OAuthToolError, the one error family.

import { OutboundError } from '../net/guarded-fetch.js';
import { redactCut } from '../secrets/index.js';
import { OAuthToolError } from './errors.js';

interface OpenIdClientLikeError {
  name?: string;
  code?: string;
  message?: string;
  error?: string;
  error_description?: string;
  status?: number;
  cause?: unknown;
}

/**
 * `action` names what we were doing in the user's terms ("requesting a client-credentials token
 * from provider work") so every message reads "<action> failed: <why>. <what to do>".
 */
export function toToolError(thrown: unknown, action = 'the operation'): OAuthToolError {
  if (thrown instanceof OAuthToolError) return thrown;
  const outbound = outboundErrorOf(thrown);
  if (outbound) return fromOutbound(outbound, action, thrown);
  const error = (thrown ?? {}) as OpenIdClientLikeError;
  const detail = `${error.name ?? 'Error'}${error.code ? ` ${error.code}` : ''}: ${error.message ?? String(thrown)}`;

  const oauthError = oauthErrorOf(error);
  if (oauthError) {
    return new OAuthToolError(
      'oauth_error',
      `${capitalise(action)} failed: the authorization server answered "${oauthError.error}"${oauthError.description ? ` (${oauthError.description})` : ''}. ${adviceFor(oauthError.error)}`,
      {
        oauthError: oauthError.error,
        ...(oauthError.description ? { oauthErrorDescription: oauthError.description } : {}),
        detail,
        cause: thrown,
      },
    );
  }

  if (error.name === 'TimeoutError' || error.code === 'OAUTH_TIMEOUT' || isTimeout(error.cause)) {
    return new OAuthToolError(
      'timeout',
      `${capitalise(action)} timed out: the server did not answer in time. Check that it is up, or raise "timeoutMs" in the config.`,
      { detail, cause: thrown },
    );
  }
  if (error.name === 'AbortError' || error.code === 'OAUTH_ABORT') {
    return new OAuthToolError('timeout', `${capitalise(action)} was cancelled before the server answered.`, {
      detail,
      cause: thrown,
    });
  }

  switch (error.code) {
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_INVALID_RESPONSE':
    case 'OAUTH_PARSE_ERROR':
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
    case 'OAUTH_INVALID_SERVER_METADATA':
    case 'OAUTH_KEY_SELECTION_FAILED':
    case 'OAUTH_DECRYPTION_FAILED': {
      const status = error.cause instanceof Response ? error.cause.status : undefined;
      if (status !== undefined && status >= 500) {
        return new OAuthToolError(
          'invalid_response',
          `${capitalise(action)} failed: the server answered HTTP ${status} (a server-side failure). It may be down or overloaded: retry later, or check the server's status.`,
          { detail, cause: thrown },
        );
      }
      return new OAuthToolError(
        'invalid_response',
        `${capitalise(action)} failed: the server's response was not a valid OAuth response (${describeInvalid(error)}). Check that the issuer URL points at an OAuth 2 / OpenID Connect authorization server.`,
        { detail, cause: thrown },
      );
    }
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
    case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
      return new OAuthToolError(
        'forbidden',
        `${capitalise(action)} was refused: plain http is allowed only to loopback addresses. Use an https:// URL.`,
        { detail, cause: thrown },
      );
    case 'OAUTH_MISSING_SERVER_METADATA':
    case 'OAUTH_UNSUPPORTED_OPERATION':
      return new OAuthToolError(
        'not_configured',
        `${capitalise(action)} is not possible: ${error.message ?? 'the authorization server does not support it'}.`,
        { detail, cause: thrown },
      );
    case 'OAUTH_WWW_AUTHENTICATE_CHALLENGE':
      return new OAuthToolError(
        'not_authenticated',
        `${capitalise(action)} failed: the server rejected the access token (HTTP ${error.status ?? 401}). Refresh the session or sign in again.`,
        { detail, cause: thrown },
      );
  }

  if (error.name === 'TypeError' && /fetch failed/i.test(error.message ?? '')) {
    const cause = describeNetworkCause(error.cause);
    return new OAuthToolError(
      'network_error',
      `${capitalise(action)} failed: could not reach the server (${cause}). Check the URL and that the server is running.`,
      { detail: `${detail} (${cause})`, cause: thrown },
    );
  }

  return new OAuthToolError(
    'internal',
    `${capitalise(action)} failed unexpectedly: ${error.message ?? 'unknown error'}. This is a bug in oauth-mcp if it persists.`,
    { detail, cause: thrown },
  );
}

/** The outbound policy's error, thrown by our fetch directly or wrapped by openid-client or jose. */
function outboundErrorOf(thrown: unknown): OutboundError | undefined {
  let current = thrown;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof OutboundError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One answer per kind: a refused URL says why; an unreachable destination never says how it failed. */
function fromOutbound(error: OutboundError, action: string, thrown: unknown): OAuthToolError {
  if (error.code === 'OUTBOUND_URL_REFUSED') {
    return new OAuthToolError('forbidden', `${capitalise(action)} was refused: ${error.message}.`, {
      detail: error.detail,
      cause: thrown,
    });
  }
  return new OAuthToolError(
    'network_error',
    `${capitalise(action)} failed: ${error.origin} could not be reached: ${error.message}.`,
    { detail: error.detail, cause: thrown },
  );
}

/** The AS's `error`, from a JSON error body or (a 401 at the token endpoint) a WWW-Authenticate challenge. */
function oauthErrorOf(error: OpenIdClientLikeError): { error: string; description?: string } | undefined {
  if (typeof error.error === 'string') {
    return {
      error: error.error,
      ...(error.error_description ? { description: error.error_description } : {}),
    };
  }
  if (error.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' && Array.isArray(error.cause)) {
    const parameters = (error.cause[0] as { parameters?: Record<string, string> } | undefined)?.parameters;
    if (parameters?.error) {
      return {
        error: parameters.error,
        ...(parameters.error_description ? { description: parameters.error_description } : {}),
      };
    }
  }
  return undefined;
}

function adviceFor(oauthError: string): string {
  switch (oauthError) {
    case 'invalid_client':
      return 'Check the client id and secret (and tokenEndpointAuthMethod) of this provider.';
    case 'invalid_grant':
      return 'The grant (code or refresh token) is no longer valid: sign in again with oauth_authenticate_user.';
    case 'invalid_scope':
      return 'Request only scopes this client is allowed to use.';
    case 'invalid_target':
      return 'The requested resource is not known to this authorization server or not allowed for the client.';
    case 'unauthorized_client':
      return 'This client is not allowed to use that grant type; enable it on the authorization server.';
    case 'access_denied':
      return 'The user or the server denied the request.';
    default:
      return 'See the error description from the authorization server.';
  }
}

function isTimeout(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && (cause as { name?: string }).name === 'TimeoutError';
}

function describeInvalid(error: OpenIdClientLikeError): string {
  if (error.code === 'OAUTH_RESPONSE_IS_NOT_JSON') return 'it is not JSON';
  return redactCut((error.message ?? 'unexpected content').replace(/\s+/g, ' ').slice(0, 200));
}

function describeNetworkCause(cause: unknown): string {
  const c = cause as { code?: string; message?: string } | undefined;
  if (!c) return 'network error';
  if (c.code === 'ECONNREFUSED') return 'connection refused';
  if (c.code === 'ENOTFOUND') return 'host not found';
  if (c.code === 'ECONNRESET') return 'connection reset';
  return c.code ?? c.message ?? 'network error';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
