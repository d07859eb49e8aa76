// The request oauth_call_api sends on the caller's behalf: their headers (never credentials or
// framing, which we and fetch set) and their body, raw or as JSON.

import { OAuthToolError } from '../../errors.js';

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

export function requestHeaders(
  request: { headers?: Record<string, string> | undefined },
  credential: string,
): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_REQUEST_HEADERS.has(lower) || lower === credential || lower === 'dpop') {
      throw new OAuthToolError(
        'invalid_input',
        `The header "${name}" cannot be set: oauth-mcp sets the credentials (${credential === 'authorization' ? 'Authorization' : `${name} and Authorization`}) from the session, and the HTTP client sets framing headers. Remove it.`,
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

/** The body to send: a string as is; `json`, or an object or array given as `body`, serialised as JSON. */
export function requestBody(
  request: { body?: string | object | undefined; json?: unknown },
  method: string,
  headers: Headers,
): string | undefined {
  if (request.body !== undefined && request.json !== undefined) {
    throw new OAuthToolError(
      'invalid_input',
      'Give either "body" (raw text, or an object sent as JSON) or "json" (a value sent as JSON), not both.',
    );
  }
  // An object or array cannot be a raw body: the only thing it can mean is JSON.
  const json = typeof request.body === 'object' ? request.body : request.json;
  const body = json !== undefined ? JSON.stringify(json) : (request.body as string | undefined);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new OAuthToolError(
      'invalid_input',
      `A ${method} request cannot have a body. Use POST, PUT or PATCH, or pass values in "query".`,
    );
  }
  if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return body;
}
