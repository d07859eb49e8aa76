// oauth_call_api's HTTP shapes: the methods it sends, and an API's response as tool output: a size-capped body (parsed JSON, text or base64), headers
// without cookies, and every known secret redacted wherever and however the API echoes it.

import { readUpTo } from '../../net/document-limit.js';
import { redactCut, redactDeep, redactSecrets } from '../../secrets/index.js';

/** Response headers never echoed: cookies are credentials of their own. */
const HIDDEN_RESPONSE_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'authorization',
  'proxy-authorization',
  'cookie',
]);

export interface ResponseView {
  status: number;
  status_text: string;
  headers: Record<string, string>;
  body?: string;
  json?: unknown;
  body_base64?: string;
  truncated: boolean;
}

/** Read past the cut, so a secret that straddles it is still whole when it is redacted. */
const READ_BEYOND_CUT = 32 * 1024;

/**
 * The body as tool output, cut at `maxBodyBytes`: every known secret is redacted first (in the parsed
 * JSON strings, or the text in any escaping), then the cut is made, then a secret cut short at the end.
 */
export async function viewResponse(
  response: Response,
  options: { maxBodyBytes: number },
): Promise<ResponseView> {
  const { bytes, complete } = await readUpTo(response, options.maxBodyBytes + READ_BEYOND_CUT);
  const truncated = !complete || bytes.length > options.maxBodyBytes;
  const view: ResponseView = {
    status: response.status,
    status_text: response.statusText,
    headers: Object.fromEntries(
      [...response.headers]
        .filter(([name]) => !HIDDEN_RESPONSE_HEADERS.has(name))
        .map(([name, value]) => [name, redactSecrets(value)]),
    ),
    truncated,
  };
  const type = response.headers.get('content-type')?.toLowerCase() ?? '';
  if (!isTextual(type)) {
    // Binary: a secret inside is redacted byte for byte (latin1 keeps every byte one char).
    const body = cut(Buffer.from(redactSecrets(bytes.toString('latin1')), 'latin1'), options.maxBodyBytes);
    if (body.length > 0)
      view.body_base64 = Buffer.from(redactCut(body.toString('latin1')), 'latin1').toString('base64');
    return view;
  }
  const text = new TextDecoder().decode(bytes);
  if (!truncated && /[/+]json\b/.test(type)) {
    try {
      view.json = redactDeep(JSON.parse(text));
      return view;
    } catch {
      // not JSON after all: returned as text
    }
  }
  const body = redactCut(
    new TextDecoder().decode(cut(Buffer.from(redactSecrets(text)), options.maxBodyBytes)),
  );
  if (body.length > 0) view.body = body;
  return view;
}

function cut(bytes: Buffer, limit: number): Buffer {
  return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
}

function isTextual(contentType: string): boolean {
  return (
    contentType === '' ||
    contentType.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-ndjson)\b/.test(
      contentType,
    )
  );
}
