// Which hosts may be bound, and which Host / Origin headers are accepted (DNS rebinding, cross-site requests).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { localhostHostValidation, originValidation } from '@modelcontextprotocol/node';
import { OAuthToolError } from '../auth/errors.js';
import { isLoopbackHost, urlProblem } from '../net/outbound-policy.js';

export type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Without resource-server auth anyone who reaches the port could use every stored token: loopback only. */
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

/** Origin check for /mcp: absent passes (non-browser clients), present must be the public URL's or configured. */
export function originGuard(host: string, publicUrl: URL, allowedOrigins: string[] = []): Guard {
  const hostnames = new Set<string>([publicUrl.hostname.toLowerCase()]);
  if (isLoopbackHost(host) || isLoopbackHost(publicUrl.hostname)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) hostnames.add(name);
  }
  for (const entry of allowedOrigins) {
    hostnames.add(URL.canParse(entry) ? new URL(entry).hostname.toLowerCase() : entry.toLowerCase());
  }
  return originValidation([...hostnames]);
}

function hostnameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
