// Where oauth-mcp may connect: URL rules (https, http only on loopback, no credentials) and the address
// decision (loopback, private, link-local and metadata destinations only for URLs the operator configured).

import { isIP } from 'node:net';

type AddressRange =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'metadata';

/** [first address, prefix length, range]; the first match wins, so narrower entries come first. */
const IPV4_RANGES: [string, number, AddressRange][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  // Shared address space (RFC 6598); Alibaba Cloud's metadata service is 100.100.100.200.
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** Cloud metadata services by name (they resolve to link-local addresses inside the cloud). */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function classifyIpv4(value: number): AddressRange {
  for (const [base, bits, range] of IPV4_RANGES) {
    const size = 2 ** (32 - bits);
    const start = ipv4Number(base);
    if (value >= start && value < start + size) return range;
  }
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted IPv4 tail). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/)?.[1];
  if (dotted) {
    const value = ipv4Number(dotted);
    text = `${text.slice(0, -dotted.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  return [...first, ...new Array(8 - first.length - last.length).fill(0), ...last];
}

function classifyIpv6(groups: number[]): AddressRange {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embedded = () => classifyIpv4(g6 * 65536 + g7);
  const zeroUpTo = (n: number) => groups.slice(0, n).every((group) => group === 0);
  if (zeroUpTo(7)) return g7 === 0 ? 'unspecified' : g7 === 1 ? 'loopback' : embedded();
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
  if (zeroUpTo(5) && (g5 === 0xffff || g5 === 0)) return embedded();
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return embedded();
  // NAT64 (RFC 6052 well-known prefix; RFC 8215 local-use prefix is private by definition).
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded();
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private';
  // 6to4 carries an IPv4 address in groups 1-2.
  if (g0 === 0x2002) return classifyIpv4(g1 * 65536 + g2);
  if (g0 === 0x2001 && g1 === 0) return 'reserved'; // Teredo: the client address is obfuscated
  if (g0 === 0x2001 && g1 === 0xdb8) return 'reserved';
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'private';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  // Global unicast is 2000::/3; everything else is unassigned or special.
  return (g0 & 0xe000) === 0x2000 ? 'public' : 'reserved';
}

/** The range of an IP address (v4 or v6, brackets and zone id allowed); undefined when it is not one. */
export function classifyAddress(address: string): AddressRange | undefined {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(ip);
  if (version === 4) return classifyIpv4(ipv4Number(ip));
  if (version === 6) return classifyIpv6(ipv6Groups(ip.toLowerCase()));
  return undefined;
}

/**
 * The range a URL host is known to be in before DNS: an IP address (WHATWG URL parsing has already turned
 * 2130706433, 0x7f.1 or 0177.0.0.1 into 127.0.0.1), `localhost` names (RFC 6761) and metadata service
 * names. Undefined for other names, which are checked on every address they resolve to.
 */
export function hostRange(hostname: string): AddressRange | undefined {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '');
  const address = classifyAddress(host);
  if (address) return address;
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (METADATA_HOSTS.has(host)) return 'metadata';
  return undefined;
}

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
  if (parsed.username || parsed.password) {
    return `a URL must not contain a user name or password ("user:pass@"); remove them from ${parsed.protocol}//${parsed.host}`;
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

/**
 * RFC 7592 management URLs come from the authorization server: they must stay on the origin of the
 * issuer or of the registration endpoint, so a registration response cannot aim the registration
 * access token (and the model's GET/PUT/DELETE) at another service.
 */
export function managementUrlProblem(uri: string, allowed: (string | undefined)[]): string | undefined {
  const problem = urlProblem(uri);
  if (problem) return problem;
  const origins = allowed.filter((url): url is string => Boolean(url)).map((url) => new URL(url).origin);
  const origin = new URL(uri).origin;
  return origins.includes(origin)
    ? undefined
    : `it is on ${origin}, not on the origin of the issuer or registration endpoint (${[...new Set(origins)].join(', ')})`;
}

interface OutboundPolicyOptions {
  /** URLs the operator configured (issuers, endpoints, API origins): their origins may be non-public. */
  configuredUrls: Iterable<string>;
  /** Config `network.allowPrivate`: every destination may be non-public. Default false. */
  allowPrivate?: boolean | undefined;
}

/** The decision itself: a destination is either trusted (any address) or must resolve only to public addresses. */
export class OutboundPolicy {
  readonly allowPrivate: boolean;
  readonly #origins = new Set<string>();

  constructor(options: OutboundPolicyOptions) {
    this.allowPrivate = options.allowPrivate ?? false;
    for (const url of options.configuredUrls) {
      if (!urlProblem(url)) this.#origins.add(new URL(url).origin);
    }
  }

  /** Whether requests to `url` may reach loopback, private and link-local addresses. */
  trusts(url: URL): boolean {
    return this.allowPrivate || this.#origins.has(url.origin);
  }
}

/** Whether a connection to `address` is allowed for a destination the policy does not trust. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}
