// The size cap of every document read from a server (metadata, JWKS, token, registration, userinfo and
// error responses): the body is read here, up to the cap, before any caller parses it.

import { OutboundError, type OutboundFetch } from './guarded-fetch.js';

/** The most oauth-mcp reads of one document: large JWKS sets are tens of kilobytes. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

const describeCap = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB (${bytes} bytes)` : `${bytes} bytes`;

/**
 * `fetch` whose responses arrive whole and within `maxBytes`. The body is read before the response is
 * handed on, so a response over the cap fails as the request itself (openid-client and jose pass a fetch
 * failure through; a failure while they parse would lose its cause). A declared Content-Length over the
 * cap fails before the first byte of the body; a body without one, or longer than it says, is cut off as
 * soon as it passes the cap.
 */
export function capDocuments(fetch: OutboundFetch, maxBytes = MAX_DOCUMENT_BYTES): OutboundFetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const origin = new URL(String(input)).origin;
    const tooLarge = (detail: string) => {
      const message = `${origin} sent a response larger than ${describeCap(maxBytes)}, the most oauth-mcp reads of one document from a server; it was discarded. Check that the URL points at the authorization server's endpoint`;
      return new OutboundError('OUTBOUND_TOO_LARGE', origin, message, `${origin}: ${detail}`);
    };
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(`Content-Length ${declared}`);
    }
    const { bytes, complete } = await readUpTo(response, maxBytes);
    if (!complete) {
      throw tooLarge(
        `more than ${maxBytes} bytes read${Number.isNaN(declared) ? '' : ` (Content-Length ${declared})`}`,
      );
    }
    // Statuses that carry no body (204, 304, ...) must be rebuilt without one.
    const body = response.body && !NULL_BODY_STATUSES.has(response.status) ? bytes : null;
    // Always the global Response (openid-client and oauth4webapi check the class), built once from the bytes.
    const document = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    if (body) documentBodies.set(document, body);
    return document;
  };
}

/** The bytes of each response capDocuments built: read once, looked at by every layer above. */
const documentBodies = new WeakMap<Response, Buffer>();
const utf8 = new TextDecoder();

/**
 * A response's body as text, leaving the response unread for the next reader (openid-client): the bytes
 * capDocuments already holds, or a clone's for a response from elsewhere.
 */
export function documentText(response: Response): Promise<string> {
  const bytes = documentBodies.get(response);
  return bytes ? Promise.resolve(utf8.decode(bytes)) : response.clone().text();
}

/**
 * A response body read up to `limit` bytes: all of it (`complete`), or its first `limit` bytes with the
 * rest never read (the stream is cancelled as soon as it passes the limit).
 */
export async function readUpTo(
  response: Response,
  limit: number,
): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks).subarray(0, limit), complete: false };
    }
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}
