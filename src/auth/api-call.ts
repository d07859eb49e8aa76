// Calls a protected resource (RFC 6750 bearer) with a session's access token, only at allowed origins;
// refreshes once on 401. Hand-written on fetch: openid-client's fetchProtectedResource takes no
// AbortSignal and would apply the AS's transport policy, not the API's.

import { urlProblem } from '../net/outbound-policy.js';
import type { StoredSession } from '../store/records.js';
import { type API_METHODS, DEFAULT_MAX_BODY_BYTES, type ResponseView, viewResponse } from './api-response.js';
import { type Deadline, deadline } from './deadline.js';
import type { EngineContext } from './engine-context.js';
import { toToolError } from './error-mapping.js';
import { OAuthToolError } from './errors.js';
import { ensureFreshSession, refreshAfterRejection } from './refresh.js';
import { findSession } from './sessions.js';

const MAX_REDIRECTS = 5;

/** Request headers the caller may not set: we set the credentials, fetch sets the framing. */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

export interface ApiCallRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  method?: (typeof API_METHODS)[number] | undefined;
  url: string;
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  /** A raw request body; mutually exclusive with `json`. */
  body?: string | undefined;
  /** A value sent as JSON (content-type application/json unless given). */
  json?: unknown;
  maxBodyBytes?: number | undefined;
  /** Aborted when the caller cancels (the MCP request's signal). */
  signal?: AbortSignal | undefined;
}

export interface ApiCallResult extends ResponseView {
  /** The URL that answered (after same-origin redirects). */
  url: string;
  /** Set when the API redirected to another origin: the redirect was not followed (the token stays put). */
  redirect_not_followed?: string;
  session_id: string;
  refreshed: boolean;
}

export async function callApi(ctx: EngineContext, request: ApiCallRequest): Promise<ApiCallResult> {
  const target = parseTarget(request.url, request.query);
  const method = request.method ?? 'GET';
  const headers = requestHeaders(request);
  const body = requestBody(request, method, headers);

  const found = await findSession(ctx, request);
  if (found.token_type.toLowerCase() !== 'bearer') {
    throw new OAuthToolError(
      'not_configured',
      `Session "${found.session_id}" holds a "${found.token_type}" token; oauth_call_api can present only Bearer tokens (RFC 6750).`,
    );
  }
  await checkOrigin(ctx, found.provider, target);
  let { session, refreshed } = await ensureFreshSession(ctx, found);
  let response = await send(ctx, request.signal, target, method, headers, body, session);
  if (response.response.status === 401 && session.refresh_token && !refreshed) {
    await response.response.body?.cancel().catch(() => undefined);
    response.timeout.release();
    session = await refreshAfterRejection(ctx, session);
    refreshed = true;
    response = await send(ctx, request.signal, target, method, headers, body, session);
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

function requestHeaders(request: ApiCallRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (FORBIDDEN_REQUEST_HEADERS.has(name.toLowerCase())) {
      throw new OAuthToolError(
        'invalid_input',
        `The header "${name}" cannot be set: oauth-mcp sets Authorization from the session, and the HTTP client sets framing headers. Remove it.`,
      );
    }
    try {
      headers.append(name, value);
    } catch {
      throw new OAuthToolError(
        'invalid_input',
        `The header "${name}" is not a valid HTTP header name or value.`,
      );
    }
  }
  return headers;
}

function requestBody(request: ApiCallRequest, method: string, headers: Headers): string | undefined {
  if (request.body !== undefined && request.json !== undefined) {
    throw new OAuthToolError(
      'invalid_input',
      'Give either "body" (raw text) or "json" (a value sent as JSON), not both.',
    );
  }
  const body = request.json !== undefined ? JSON.stringify(request.json) : request.body;
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new OAuthToolError(
      'invalid_input',
      `A ${method} request cannot have a body. Use POST, PUT or PATCH, or pass values in "query".`,
    );
  }
  if (request.json !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return body;
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
  session: StoredSession,
): Promise<Sent> {
  const timeout = deadline(ctx.timeoutMs, callerSignal);
  const { signal } = timeout;
  const withToken = new Headers(headers);
  withToken.set('authorization', `Bearer ${session.access_token}`);
  let url = target;
  let currentMethod = method;
  let currentBody = body;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await ctx.registry.fetch(url, {
        method: currentMethod,
        headers: withToken,
        body: currentBody,
        redirect: 'manual',
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
      withToken.delete('content-type');
    }
    url = next;
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
