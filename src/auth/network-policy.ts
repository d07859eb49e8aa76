// Which URLs we may talk to: https anywhere, plain http only to loopback (RFC 8252 section 8.3 spirit).

import { isIP } from 'node:net';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Why `url` is not acceptable as a server URL, or undefined when it is. */
export function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; give an absolute https:// URL such as https://auth.example.com`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    return isLoopbackHost(parsed.hostname)
      ? undefined
      : `http is allowed only on loopback addresses (127.0.0.1, localhost, [::1]); use https://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  }
  return `unsupported scheme "${parsed.protocol}" in ${parsed.origin}; use https://`;
}

export function needsInsecureTransport(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
