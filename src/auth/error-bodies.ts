// The OAuth error body (RFC 6749 section 5.2) of a 401 that also carries a WWW-Authenticate challenge:
// oauth4webapi reports the challenge and leaves the body unread, so the AS fetch reads it for the error mapping.

import { documentText } from '../net/document-limit.js';

export interface ErrorBody {
  error: string;
  error_description?: string;
}

const bodies = new WeakMap<Response, ErrorBody>();

/** Reads the `error` of a 401's JSON body, leaving the response readable; remembered for `errorBodyOf`. */
export async function rememberErrorBody(response: Response): Promise<void> {
  if (response.status !== 401 || !response.headers.get('content-type')?.includes('json')) return;
  try {
    const body = JSON.parse(await documentText(response)) as Record<string, unknown>;
    if (typeof body?.error !== 'string') return;
    bodies.set(response, {
      error: body.error,
      ...(typeof body.error_description === 'string' ? { error_description: body.error_description } : {}),
    });
  } catch {
    // not JSON after all: nothing to remember
  }
}

export function errorBodyOf(response: Response | undefined): ErrorBody | undefined {
  return response ? bodies.get(response) : undefined;
}
