// Which hosts may be bound, and which Host / Origin headers are accepted (DNS rebinding, cross-site requests).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { localhostHostValidation } from '@modelcontextprotocol/node';
import { OAuthToolError } from '../errors.js';
import { isLoopbackHost, urlProblem } from '../net/outbound-policy.js';

export type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Without resource-server auth anyone who reaches the port could use every stored token: loopback only,
 * and a public URL elsewhere (a tunnel, a reverse proxy) is the same exposure as a non-loopback bind.
 */
export function assertBindAllowed(
  host: string,
  authConfigured: boolean,
  publicUrl: string | undefined,
): void {
  if (!authConfigured && !isLoopbackHost(host)) {
    throw new OAuthToolError(
      'not_configured',
      `Refusing to listen on ${host} without "http.auth": anyone who can reach that address could use the tokens in the store. ` +
        'Configure http.auth (issuer and audience of your authorization server), or bind 127.0.0.1 and put an authenticating reverse proxy in front.',
    );
  }
  if (publicUrl !== undefined) {
    const problem = urlProblem(publicUrl);
    if (problem) throw new OAuthToolError('not_configured', `--public-url ${problem}.`);
    const { hostname } = new URL(publicUrl);
    if (!authConfigured && !isLoopbackHost(hostname)) {
      throw new OAuthToolError(
        'not_configured',
        `Refusing --public-url ${publicUrl} without "http.auth": whatever forwards that address here (a tunnel such as ngrok or Cloudflare, a reverse proxy) would let anyone who reaches it use the tokens in the store. ` +
          'Configure http.auth (issuer and audience of your authorization server), or leave --public-url on a loopback address.',
      );
    }
  }
}

/**
 * Host header check for loopback binds (a DNS-rebinding page resolves its own name to 127.0.0.1): only
 * localhost names and the public URL's host pass. A non-loopback bind is reached through names we cannot
 * list, and is protected by bearer auth instead.
 */
export function hostGuard(host: string, publicUrl: URL): Guard | undefined {
  if (!isLoopbackHost(host)) return undefined;
  const localhost = localhostHostValidation();
  if (isLoopbackHost(publicUrl.hostname)) return localhost;
  return (req, res) => {
    const hostname = hostnameOf(req.headers.host);
    if (hostname !== undefined && hostname === publicUrl.hostname.toLowerCase()) return true;
    return localhost(req, res);
  };
}

/**
 * Origin check for /mcp: absent passes (non-browser clients); present must be exactly (scheme, host and
 * port) the public URL's origin, this loopback server's own origin, or a configured one. A bare
 * hostname in `http.allowedBrowserOrigins` admits that host on any port: the operator's explicit choice.
 */
export function originGuard(
  host: string,
  port: number,
  publicUrl: URL,
  allowedOrigins: string[] = [],
): Guard {
  const origins = new Set<string>([publicUrl.origin]);
  const anyPort = new Set<string>();
  if (isLoopbackHost(host) || isLoopbackHost(publicUrl.hostname)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) origins.add(`http://${name}:${port}`);
  }
  for (const entry of allowedOrigins) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) && URL.canParse(entry)) origins.add(new URL(entry).origin);
    else anyPort.add(entry.toLowerCase());
  }
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
    if (parsed && (origins.has(parsed.origin) || anyPort.has(parsed.hostname))) return true;
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: {
          code: -32000,
          message: `Origin ${parsed?.origin ?? 'header'} is not allowed to call this server.`,
        },
        id: null,
      }),
    );
    return false;
  };
}

function hostnameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
