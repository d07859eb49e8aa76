// Calls a protected resource with a session's access token (RFC 6750 Bearer, another scheme or header
// as `apiAuth` says, or DPoP), only at its provider's API origins; refreshes once on a 401 that says
// the token is bad. Hand-written on fetch: openid-client's fetchProtectedResource takes no
// AbortSignal, always sends `Authorization: Bearer|DPoP`, and would apply the AS's transport policy.

import { OAuthToolError } from '../../errors.js';
import { urlProblem } from '../../net/outbound-policy.js';
import { type Deadline, deadline } from '../deadline.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { findSession } from '../sessions/sessions.js';
import { type API_METHODS, DEFAULT_MAX_BODY_BYTES } from '../views.js';
import { apiAuthFor, type Credential, credentialFor, credentialHeader } from './credential.js';
import { requestBody, requestHeaders } from './request.js';
import { type ResponseView, viewResponse } from './response.js';
import { insufficientScopeError, parseChallenges, withSessionToken } from './token-rejection.js';

const MAX_REDIRECTS = 5;

/** A request to a resource API with a session's access token; method default GET, provider default the defaultProvider. */
export interface ApiCallRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  method?: (typeof API_METHODS)[number] | undefined;
  url: string;
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  /** A raw request body, or an object or array sent as JSON; mutually exclusive with `json`. */
  body?: string | object | undefined;
  /** A value sent as JSON (content-type application/json unless given). */
  json?: unknown;
  maxBodyBytes?: number | undefined;
  /** Aborted when the caller cancels (the MCP request's signal). */
  signal?: AbortSignal | undefined;
}

/** The API's response (status, headers, body within maxBodyBytes) and the session whose token was sent. */
export interface ApiCallResult extends ResponseView {
  /** The URL that answered (after same-origin redirects). */
  url: string;
  /** Set when the API redirected to another origin: the redirect was not followed (the token stays put). */
  redirect_not_followed?: string;
  session_id: string;
  refreshed: boolean;
}

/**
 * Calls an allowed API origin with a session's token, refreshing it first when it is about to expire.
 *
 * @example
 * const response = await callApi(engine.ctx, { provider: 'work', url: 'https://api.example.com/me' });
 * console.log(response.status, response.json);
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 (Bearer tokens in the Authorization header)
 */
export async function callApi(ctx: EngineContext, request: ApiCallRequest): Promise<ApiCallResult> {
  const target = parseTarget(request.url, request.query);
  const method = request.method ?? 'GET';
  const found = await findSession(ctx, request);
  await checkOrigin(ctx, found.provider, target);
  const { settings } = await ctx.registry.settings(found.provider);
  const auth = apiAuthFor(ctx, settings.apiAuth, target.origin);
  const headers = requestHeaders(request, credentialHeader(auth));
  const body = requestBody(request, method, headers);

  const {
    result: response,
    session,
    refreshed,
  } = await withSessionToken(
    ctx,
    found,
    async (current) =>
      send(ctx, request.signal, target, method, headers, body, await credentialFor(ctx, current, auth)),
    (sent) => (sent.response.status === 401 ? challengesOf(sent.response) : undefined),
    async (sent) => {
      await sent.response.body?.cancel().catch(() => undefined);
      sent.timeout.release();
    },
  );
  const status = response.response.status;
  if (status === 401 || status === 403) {
    const stepUp = insufficientScopeError(session, challengesOf(response.response), target.origin);
    if (stepUp) {
      await response.response.body?.cancel().catch(() => undefined);
      response.timeout.release();
      throw stepUp;
    }
  }
  let view: ResponseView;
  try {
    view = await viewResponse(response.response, {
      maxBodyBytes: request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    });
  } catch (error) {
    throw fetchError(error, request.signal, response.timeout, response.url);
  } finally {
    response.timeout.release();
  }
  return {
    ...view,
    url: response.url.href,
    ...(response.redirectNotFollowed ? { redirect_not_followed: response.redirectNotFollowed } : {}),
    session_id: session.session_id,
    refreshed,
  };
}

function challengesOf(response: Response) {
  return parseChallenges(response.headers.get('www-authenticate'));
}

function parseTarget(url: string, query: Record<string, string> | undefined): URL {
  const problem = urlProblem(url);
  if (problem) throw new OAuthToolError('invalid_input', `Cannot call that URL: ${problem}.`);
  const target = new URL(url);
  for (const [name, value] of Object.entries(query ?? {})) target.searchParams.append(name, value);
  target.hash = '';
  return target;
}

/** A provider's token goes only to that provider's API origins (config `apiOrigins`, else `api.allowedOrigins`). */
async function checkOrigin(ctx: EngineContext, provider: string, target: URL): Promise<void> {
  const allowed = await ctx.registry.apiOrigins(provider);
  if (allowed.includes(target.origin)) return;
  throw new OAuthToolError(
    'forbidden',
    `${target.origin} is not an API origin of provider "${provider}", so its token is not sent there. ${allowed.length ? `Allowed for "${provider}": ${allowed.join(', ')}.` : `None is allowed for "${provider}" yet.`} To allow it, add "${target.origin}" to that provider's "apiOrigins" (or, when only one provider uses it, to "api.allowedOrigins") in the oauth-mcp config and restart.`,
  );
}

interface Sent {
  response: Response;
  url: URL;
  redirectNotFollowed?: string;
  /** Covers the request and reading the body; the caller releases it. */
  timeout: Deadline;
}

/** One request, following redirects only within the same origin so the token never leaves it. */
async function send(
  ctx: EngineContext,
  callerSignal: AbortSignal | undefined,
  target: URL,
  method: string,
  headers: Headers,
  body: string | undefined,
  credential: Credential,
): Promise<Sent> {
  const timeout = deadline(ctx.timeoutMs, callerSignal);
  const { signal } = timeout;
  const hopHeaders = new Headers(headers);
  let url = target;
  let currentMethod = method;
  let currentBody = body;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetchWithCredential(ctx, credential, url, {
        method: currentMethod,
        headers: hopHeaders,
        body: currentBody,
        signal,
      });
    } catch (error) {
      timeout.release();
      throw fetchError(error, callerSignal, timeout, url);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) {
      return { response, url, timeout };
    }
    const next = new URL(location, url);
    if (next.origin !== target.origin || hop >= MAX_REDIRECTS) {
      return {
        response,
        url,
        timeout,
        redirectNotFollowed:
          next.origin !== target.origin ? next.origin : `more than ${MAX_REDIRECTS} redirects`,
      };
    }
    await response.body?.cancel().catch(() => undefined);
    // As fetch does (WHATWG Fetch 4.4): 303, and 301/302 after POST, continue as a body-less GET.
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && currentMethod === 'POST')
    ) {
      if (currentMethod !== 'HEAD') currentMethod = 'GET';
      currentBody = undefined;
      hopHeaders.delete('content-type');
    }
    url = next;
  }
}

/** One request with the credential (a fresh DPoP proof each time), sent again once with a server nonce. */
async function fetchWithCredential(
  ctx: EngineContext,
  credential: Credential,
  url: URL,
  init: { method: string; headers: Headers; body: string | undefined; signal: AbortSignal },
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers = new Headers(init.headers);
    await credential.apply(headers, url, init.method);
    const response = await ctx.registry.apiFetch(url, { ...init, headers, redirect: 'manual' });
    if (attempt > 0 || !credential.wantsRetry(response, url)) return response;
    await response.body?.cancel().catch(() => undefined);
  }
}

function fetchError(
  error: unknown,
  callerSignal: AbortSignal | undefined,
  timeout: Deadline,
  url: URL,
): OAuthToolError {
  // Our deadline's abort reaches fetch as the caller's reason would: which one fired decides.
  const thrown = timeout.timedOut
    ? new DOMException('The API did not answer in time.', 'TimeoutError')
    : error;
  return toToolError(thrown, {
    action: `calling the API at ${url.origin}`,
    ...(callerSignal ? { signal: callerSignal } : {}),
  });
}
