// oauth_call_api's HTTP shapes: the methods it sends, and an API's response as tool output: a size-capped body (parsed JSON, text or base64), headers
// without cookies, and our own tokens redacted wherever the API echoes them.

export const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

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

/** Reads at most `maxBodyBytes` of the body (the rest is cancelled); throws what the stream throws. */
export async function viewResponse(
  response: Response,
  options: { maxBodyBytes: number; secrets: (string | undefined)[] },
): Promise<ResponseView> {
  const hide = (text: string) => redactValues(text, options.secrets);
  const { bytes, truncated } = await readCapped(response, options.maxBodyBytes);
  const view: ResponseView = {
    status: response.status,
    status_text: response.statusText,
    headers: Object.fromEntries(
      [...response.headers]
        .filter(([name]) => !HIDDEN_RESPONSE_HEADERS.has(name))
        .map(([name, value]) => [name, hide(value)]),
    ),
    truncated,
  };
  const type = response.headers.get('content-type')?.toLowerCase() ?? '';
  if (!isTextual(type)) {
    if (bytes.length > 0) view.body_base64 = Buffer.from(bytes).toString('base64');
    return view;
  }
  const text = hide(new TextDecoder().decode(bytes));
  if (!truncated && /[/+]json\b/.test(type)) {
    try {
      view.json = JSON.parse(text);
      return view;
    } catch {
      // not JSON after all: returned as text
    }
  }
  if (text.length > 0) view.body = text;
  return view;
}

async function readCapped(response: Response, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks).subarray(0, limit), truncated: true };
    }
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
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

function redactValues(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}
