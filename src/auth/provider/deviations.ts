// Real servers' deviations from the RFCs, tolerated where nothing is lost: a fetch wrapper (openid-client
// customFetch) that rewrites such answers into what the RFC says, and logs each kind once per server.

import type { CustomFetch, CustomFetchOptions } from 'openid-client';
import type { Logger } from '../../log.js';
import { documentText } from '../../net/document-limit.js';
import { rememberErrorBody } from '../error-bodies.js';

interface DeviationOptions {
  logger?: Logger | undefined;
  /** Kinds already logged, by `<kind> <origin>`; shared by every fetch of one registry. */
  logged: Set<string>;
  /** Origins that refused the charset parameter on form posts; shared likewise. */
  noCharset: Set<string>;
  /** The provider's scope separator: a `scope` in its JSON answers is turned back into a space-separated one. */
  scopeSeparator?: string | undefined;
}

const FORM = 'application/x-www-form-urlencoded';

/** Logs a tolerated deviation of the server at `origin`, once per kind and server. */
export function noteDeviation(
  options: Pick<DeviationOptions, 'logger' | 'logged'>,
  kind: string,
  origin: string,
  message: string,
): void {
  const key = `${kind} ${origin}`;
  if (options.logged.has(key)) return;
  options.logged.add(key);
  options.logger?.warn(`${origin} ${message}; tolerated`);
}

export function tolerateDeviations(base: CustomFetch, options: DeviationOptions): CustomFetch {
  const note = (kind: string, origin: string, message: string) =>
    noteDeviation(options, kind, origin, message);
  return async (url, init) => {
    const origin = new URL(url).origin;
    const form = init.method === 'POST' && init.headers['content-type']?.startsWith(`${FORM};`);
    if (form && options.noCharset.has(origin))
      return normalise(await remembered(base(url, withoutCharset(init))));
    const response = await remembered(base(url, init));
    if (form && (await refusesMediaType(response))) {
      options.noCharset.add(origin);
      note(
        'charset',
        origin,
        `refused "${init.headers['content-type']}" (RFC 6749 appendix B defines the form body as UTF-8; the parameter is redundant), so form posts go without it`,
      );
      return normalise(await remembered(base(url, withoutCharset(init))));
    }
    return normalise(response);

    async function normalise(answer: Response): Promise<Response> {
      if (init.method === 'GET' || !answer.headers.get('content-type')?.includes('json')) return answer;
      if (answer.status !== 200 && answer.status !== 201) return answer;
      const text = await documentText(answer);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text);
      } catch {
        return answer;
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return answer;
      let status = answer.status;
      // The common answer needs no repair: then it is passed on as it came, unread and not re-serialised.
      let repaired = false;
      const sentJson = init.headers['content-type']?.startsWith('application/json');
      if (status === 200 && sentJson && typeof body.client_id === 'string') {
        status = 201;
        note(
          'registration-200',
          origin,
          'answered a client registration with 200 instead of 201 (RFC 7591 section 3.2.1)',
        );
      }
      if (status === 200 && typeof body.error === 'string' && body.access_token === undefined) {
        status = 400;
        note(
          'error-200',
          origin,
          `answered error "${body.error}" with 200 instead of 400 (RFC 6749 section 5.2)`,
        );
      }
      if (typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in)) {
        body.expires_in = Number(body.expires_in);
        repaired = true;
        note('expires_in', origin, 'sent expires_in as a string instead of a number (RFC 6749 section 5.1)');
      }
      if (body.token_type === 'bearer') {
        body.token_type = 'Bearer';
        repaired = true;
        note(
          'token_type',
          origin,
          'sent token_type "bearer" in lower case (RFC 6750 section 6.1.1 registers "Bearer"; RFC 6749 section 5.1 compares it case-insensitively)',
        );
      }
      if (typeof body.scope === 'string' && options.scopeSeparator && options.scopeSeparator !== ' ') {
        body.scope = body.scope.split(options.scopeSeparator).filter(Boolean).join(' ');
        repaired = true;
      }
      if (!repaired && status === answer.status) return answer;
      return rebuilt(answer, status, repaired ? JSON.stringify(body) : text);
    }
  };
}

/** The answer, its 401 error body noted for the error mapping (see error-bodies.ts). */
async function remembered(pending: Promise<Response>): Promise<Response> {
  const response = await pending;
  await rememberErrorBody(response);
  return response;
}

function withoutCharset(init: CustomFetchOptions): CustomFetchOptions {
  return { ...init, headers: { ...init.headers, 'content-type': FORM } };
}

/** A refusal of the request's media type (415, or a 400 that names it) means the server did not act on it. */
async function refusesMediaType(response: Response): Promise<boolean> {
  if (response.status === 415) return true;
  if (response.status !== 400) return false;
  const text = await documentText(response);
  return (
    /charset|content-type|media.?type/i.test(text) && !/"error"\s*:\s*"invalid_(grant|client)"/.test(text)
  );
}

function rebuilt(answer: Response, status: number, body: string): Response {
  const headers = new Headers(answer.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status, statusText: answer.statusText, headers });
}
