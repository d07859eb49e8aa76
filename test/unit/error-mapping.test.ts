// The one error mapping as a table: each thrown class or code -> our code, a message fragment and the next step.

import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { answerError, type ErrorContext, toToolError } from '../../src/auth/error-mapping.js';
import { OAuthToolError } from '../../src/errors.js';
import { OutboundError } from '../../src/net/guarded-fetch.js';
import { messageWithNextStep } from '../../src/tools/next-step.js';

const json = (status: number) => new Response('{}', { status });
const body = (error: string, description?: string) => ({
  error,
  ...(description ? { error_description: description } : {}),
});
const responseBody = (status: number, error: string, description?: string) =>
  new oauth.ResponseBodyError('server responded with an error in the response body', {
    cause: body(error, description),
    response: json(status),
  });
const challenge = (status: number, parameters: Record<string, string>) =>
  new oauth.WWWAuthenticateChallengeError('server responded with a challenge', {
    cause: [{ scheme: 'bearer', parameters }] as oauth.WWWAuthenticateChallenge[],
    response: json(status),
  });
/** openid-client's shape: a ClientError with oauth4webapi's code, the OperationProcessingError as cause. */
const clientError = (code: string, cause: unknown, message = 'invalid response encountered') =>
  new client.ClientError(message, { code, cause } as ErrorOptions);
const processing = (code: string, cause: unknown) =>
  new oauth.OperationProcessingError('unexpected "iss" (issuer) response parameter value', { code, cause });
const params = new URLSearchParams({ iss: 'https://evil.example', state: 'abc' });
const aborted = AbortSignal.abort('user cancelled');

const rows: [string, unknown, ErrorContext, string, string, string | undefined][] = [
  // name, thrown, context, code, message fragment, next action
  [
    'token endpoint invalid_grant',
    responseBody(400, 'invalid_grant'),
    { action: 'refreshing' },
    'oauth_error',
    'answered "invalid_grant"',
    'sign_in',
  ],
  [
    'token endpoint invalid_client',
    responseBody(401, 'invalid_client', 'bad secret'),
    { action: 'x' },
    'oauth_error',
    'Check the client id and secret',
    undefined,
  ],
  [
    'authorization response error',
    new oauth.AuthorizationResponseError('x', { cause: new URLSearchParams({ error: 'access_denied' }) }),
    { action: 'x' },
    'oauth_error',
    'denied the request',
    undefined,
  ],
  [
    'registration invalid_redirect_uri',
    responseBody(400, 'invalid_redirect_uri'),
    { action: 'registering', operation: 'register' },
    'invalid_input',
    'loopback redirect',
    undefined,
  ],
  [
    'registration invalid_client_metadata',
    responseBody(400, 'invalid_client_metadata'),
    { action: 'registering', operation: 'register' },
    'invalid_input',
    'grant_types',
    'discover',
  ],
  [
    'registration needs an initial access token',
    responseBody(401, 'invalid_token'),
    { action: 'registering', operation: 'register' },
    'not_authenticated',
    'initial access token',
    undefined,
  ],
  [
    'registration 403 challenge',
    challenge(403, {}),
    { action: 'registering', operation: 'register' },
    'not_authenticated',
    'initial access token',
    undefined,
  ],
  [
    'token rejected by a resource server',
    challenge(401, {}),
    { action: 'fetching userinfo', sessionId: 's1' },
    'not_authenticated',
    'rejected the access token',
    'sign_in',
  ],
  [
    'challenge naming an error',
    challenge(401, { error: 'invalid_client', error_description: 'no' }),
    { action: 'x' },
    'oauth_error',
    '"invalid_client" (no)',
    undefined,
  ],
  [
    'callback with a wrong issuer',
    clientError(
      oauth.INVALID_RESPONSE,
      processing(oauth.INVALID_RESPONSE, { expected: 'https://as.example', parameters: params }),
    ),
    { action: 'completing', operation: 'callback', expectedState: 'abc' },
    'invalid_response',
    '"iss" does not match',
    'sign_in',
  ],
  [
    'callback with a wrong state',
    clientError(
      oauth.INVALID_RESPONSE,
      processing(oauth.INVALID_RESPONSE, { expected: 'xyz', parameters: params }),
    ),
    { action: 'completing', operation: 'callback', expectedState: 'xyz' },
    'invalid_response',
    'wrong "state"',
    'sign_in',
  ],
  [
    'userinfo for another user',
    clientError(
      oauth.JSON_ATTRIBUTE_COMPARISON,
      processing(oauth.JSON_ATTRIBUTE_COMPARISON, { attribute: 'sub' }),
    ),
    { action: 'x' },
    'invalid_response',
    'sub mismatch',
    'sign_in',
  ],
  [
    'a 5xx that is not OAuth',
    clientError(oauth.RESPONSE_IS_NOT_CONFORM, json(503)),
    { action: 'x' },
    'invalid_response',
    'HTTP 503',
    'retry',
  ],
  [
    'not JSON',
    clientError(oauth.RESPONSE_IS_NOT_JSON, json(200)),
    { action: 'x' },
    'invalid_response',
    'it is not JSON',
    undefined,
  ],
  [
    'plain http to a public host',
    clientError(oauth.HTTP_REQUEST_FORBIDDEN, undefined),
    { action: 'x' },
    'forbidden',
    'plain http',
    undefined,
  ],
  [
    'unsupported operation',
    clientError(oauth.UNSUPPORTED_OPERATION, new oauth.UnsupportedOperationError('no device endpoint')),
    { action: 'x' },
    'not_configured',
    'no device endpoint',
    undefined,
  ],
  [
    'openid-client timeout',
    clientError('OAUTH_TIMEOUT', new DOMException('t', 'TimeoutError')),
    { action: 'x' },
    'timeout',
    'timeoutMs',
    undefined,
  ],
  [
    'fetch timeout',
    new DOMException('t', 'TimeoutError'),
    { action: 'x' },
    'timeout',
    'timed out',
    undefined,
  ],
  ['abort', new DOMException('a', 'AbortError'), { action: 'x' }, 'cancelled', 'was cancelled', undefined],
  [
    'the caller cancelled (any reason)',
    'user cancelled',
    { action: 'calling the API', signal: aborted },
    'cancelled',
    'was cancelled',
    undefined,
  ],
  [
    'a URL the policy refuses',
    new TypeError('fetch failed', {
      cause: new OutboundError('OUTBOUND_URL_REFUSED', 'http://10.0.0.1', 'a private address', 'd'),
    }),
    { action: 'x' },
    'forbidden',
    'a private address',
    undefined,
  ],
  [
    'an unreachable server',
    new OutboundError('OUTBOUND_UNREACHABLE', 'https://as.example', 'no connection', 'd'),
    { action: 'x' },
    'network_error',
    'https://as.example could not be reached',
    undefined,
  ],
  [
    'connection refused',
    new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
    { action: 'x' },
    'network_error',
    'connection refused',
    undefined,
  ],
  ['anything else', new RangeError('boom'), { action: 'x' }, 'internal', 'boom', undefined],
];

describe('toToolError', () => {
  it.each(rows)('maps %s', (_, thrown, ctx, code, fragment, next) => {
    const error = toToolError(thrown, ctx);
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
    expect(error.next?.action).toBe(next);
    expect(error.message).not.toMatch(/oauth_[a-z]+_[a-z]/);
  });

  it('keeps the AS error fields verbatim', () => {
    const error = toToolError(responseBody(400, 'invalid_scope', 'nope'), 'x');
    expect(error).toMatchObject({ oauthError: 'invalid_scope', oauthErrorDescription: 'nope' });
  });

  it('passes an OAuthToolError through', () => {
    const error = new OAuthToolError('invalid_input', 'bad');
    expect(toToolError(error, 'x')).toBe(error);
  });
});

describe('answerError (RFC 7592 management answers)', () => {
  const ctx: ErrorContext = { action: 'reading client "c"', operation: 'manage_client', provider: 'c' };
  it.each([
    [401, undefined, 'not_authenticated', 'registration access token', 'forget_client'],
    [404, undefined, 'not_authenticated', 'registration access token', 'forget_client'],
    [403, undefined, 'forbidden', 'does not allow this client', undefined],
    [400, body('invalid_redirect_uri'), 'invalid_input', 'loopback redirect', undefined],
    [400, body('invalid_request'), 'oauth_error', '"invalid_request"', undefined],
    [400, undefined, 'invalid_response', 'RFC 7592', undefined],
  ] as const)('HTTP %i %o -> %s', (status, answer, code, fragment, next) => {
    const error = answerError(status, answer, ctx);
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
    expect(error.next?.action).toBe(next);
  });
});

describe('the tools layer names the tool', () => {
  it('appends the next step with its arguments', () => {
    const error = toToolError(responseBody(400, 'invalid_grant'), { action: 'refreshing', provider: 'work' });
    expect(messageWithNextStep(error)).toMatch(
      /Start a new sign-in: call oauth_authenticate_user with provider "work"\.$/,
    );
    const forget = answerError(401, undefined, { action: 'x', operation: 'manage_client', provider: 'c' });
    expect(messageWithNextStep(forget)).toContain('oauth_delete_client with provider "c", local_only: true');
  });
});
