// A hostile (or merely deviating) OAuth authorization server on 127.0.0.1: valid metadata, and token,
// device and registration endpoints whose answers each test writes. Every request is recorded, so a
// test can assert on exactly what reached it. Built on the loopback API of the oauth_call_api tests.

import { type LoopbackApi, type SeenRequest, startLoopbackApi } from '../api/loopback-api.js';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body: unknown;
}

/** What an endpoint received: the parsed form body and the request as recorded. */
export interface Received {
  form: URLSearchParams;
  /** The client secret of an HTTP Basic client authentication, decoded (RFC 6749 2.3.1). */
  basicSecret: string | undefined;
  seen: SeenRequest;
}

export type Endpoint = (received: Received) => Answer | Promise<Answer>;

export interface HostileAuthorizationServer extends LoopbackApi {
  issuer: string;
  /** Replace an endpoint's behaviour between tests. */
  endpoints: { token?: Endpoint; device?: Endpoint; register?: Endpoint };
}

export async function startHostileAuthorizationServer(
  endpoints: HostileAuthorizationServer['endpoints'] = {},
  metadata: Record<string, unknown> = {},
): Promise<HostileAuthorizationServer> {
  const state = { endpoints, issuer: '' };
  const route =
    (name: keyof HostileAuthorizationServer['endpoints']) =>
    async (_req: unknown, res: import('node:http').ServerResponse, seen: SeenRequest) => {
      const endpoint = state.endpoints[name];
      if (!endpoint) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      const answer = await endpoint({
        form: new URLSearchParams(seen.body),
        basicSecret: basicSecret(seen),
        seen,
      });
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res
        .writeHead(answer.status ?? 200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          ...answer.headers,
        })
        .end(text);
    };
  const api = await startLoopbackApi(undefined, {
    '/.well-known/openid-configuration': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: state.issuer,
          token_endpoint: `${state.issuer}/token`,
          device_authorization_endpoint: `${state.issuer}/device`,
          registration_endpoint: `${state.issuer}/register`,
          response_types_supported: ['code'],
          grant_types_supported: [
            'client_credentials',
            'refresh_token',
            'urn:ietf:params:oauth:grant-type:device_code',
          ],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
          ...metadata,
        }),
      );
    },
    '/token': route('token'),
    '/device': route('device'),
    '/register': route('register'),
  });
  state.issuer = api.origin;
  return Object.assign(api, { issuer: api.origin, endpoints: state.endpoints });
}

function basicSecret(seen: SeenRequest): string | undefined {
  const credentials = seen.authorization?.match(/^Basic (.+)$/)?.[1];
  if (!credentials) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  return decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1).replace(/\+/g, ' '));
}

/** Every byte a client got and the server logged, for "no secret anywhere" assertions. */
export function everything(...parts: unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('\n');
}

/**
 * The fragments (>= `min` chars) of `secret` that appear in `text` as is or after undoing JSON, percent
 * and HTML escapes, however often applied: an empty list means nothing of it leaked.
 */
export function leakedFragments(text: string, secret: string, min = 8): string[] {
  const spellings = new Set([text]);
  let current = text;
  for (let round = 0; round < 3; round++) {
    current = current
      .replace(/\\+u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\+\//g, '/')
      .replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/&#x([0-9a-fA-F]+);?/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    spellings.add(current);
  }
  const leaks: string[] = [];
  for (let i = 0; i + min <= secret.length; i++) {
    const fragment = secret.slice(i, i + min);
    if ([...spellings].some((spelling) => spelling.includes(fragment))) leaks.push(fragment);
  }
  return leaks;
}
