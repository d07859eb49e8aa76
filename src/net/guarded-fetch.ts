// The one fetch for every outbound request: the outbound policy checked on the addresses DNS returns and
// connected to exactly those (no rebinding gap), or through the proxy HTTPS_PROXY names (net/proxy.ts);
// redirects never followed, network failures told alike.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Agent, ProxyAgent } from 'undici';
import { hostRange, isPublicAddress, type OutboundPolicy, urlProblem } from './outbound-policy.js';
import { type ProxySettings, proxyFor, proxyLabel, proxySettingsFromEnv } from './proxy.js';

/** A fetch: what openid-client's and jose's `customFetch` and our own callers take. */
export type OutboundFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A request the policy refused, or a network failure at a destination that is not trusted. The message is
 * the same whatever happened (refused, reset, unresolvable, a private address), so it reveals nothing about
 * the network; `detail` (for the log only) says which. A TypeError, as fetch failures are, so openid-client
 * passes it through unwrapped.
 */
export class OutboundError extends TypeError {
  override readonly name = 'OutboundError';
  readonly code: 'OUTBOUND_UNREACHABLE' | 'OUTBOUND_URL_REFUSED' | 'OUTBOUND_TOO_LARGE';
  readonly origin: string;
  readonly detail: string;

  constructor(code: OutboundError['code'], origin: string, message: string, detail: string) {
    super(message);
    this.code = code;
    this.origin = origin;
    this.detail = detail;
  }
}

const UNREACHABLE_MESSAGE =
  'no connection could be made. oauth-mcp connects to loopback, private and link-local addresses only for URLs in its config (or with "network.allowPrivate": true)';

const loadUndici = () => import('undici');
let agents:
  | Promise<{
      trusted: Agent;
      publicOnly: Agent;
      fetch: typeof import('undici').fetch;
      ProxyAgent: typeof ProxyAgent;
    }>
  | undefined;
/** One agent per proxy URL, for the life of the process (it keeps the proxy connections alive). */
const proxyAgents = new Map<string, ProxyAgent>();

/** Resolves like the platform, refuses unless every address is public, and hands back only checked addresses. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused || addresses.length === 0) {
      const problem = Object.assign(new Error(`${hostname} resolves to ${refused?.address ?? 'nothing'}`), {
        code: 'EOUTBOUNDPOLICY',
      });
      return callback(problem, '', 0);
    }
    if ((options as { all?: boolean }).all)
      return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses as [LookupAddress];
    return callback(null, first.address, first.family);
  });
};

function loadAgents() {
  agents ??= loadUndici().then(({ Agent, fetch, ProxyAgent }) => ({
    trusted: new Agent(),
    publicOnly: new Agent({ connect: { lookup: publicOnlyLookup } }),
    fetch,
    ProxyAgent,
  }));
  return agents;
}

/**
 * Every request through a proxy is tunnelled (CONNECT host:port, undici's default): the proxy sees the
 * destination and its own Proxy-Authorization (only from credentials in the proxy URL), never a request's
 * headers or body. The proxy's address is not checked: the user set it. It resolves the destination's name.
 */
function proxyAgent(Agent: typeof ProxyAgent, url: URL): ProxyAgent {
  let agent = proxyAgents.get(url.href);
  if (!agent) {
    agent = new Agent({ uri: url.href, proxyTunnel: true });
    proxyAgents.set(url.href, agent);
  }
  return agent;
}

/** Why a connection failed, in words a person can act on (TLS trust, a proxy's refusal, the socket error). */
export function describeConnectionFailure(cause: unknown): string {
  // undici nests the reason (a DOMException around a proxy's refusal, a TypeError around a socket error).
  const chain: { code?: unknown; message?: string }[] = [];
  for (let current = cause as { cause?: unknown } | undefined; current && chain.length < 4; ) {
    chain.push(current as { code?: unknown; message?: string });
    current = current.cause as { cause?: unknown } | undefined;
  }
  const codes = chain.map((c) => c.code).filter((code): code is string => typeof code === 'string');
  const certificate = codes.find((code) => CERTIFICATE_ERRORS.has(code));
  if (certificate)
    return `its TLS certificate is not trusted (${certificate}); if it comes from a private CA, set NODE_EXTRA_CA_CERTS to the CA's PEM file when starting oauth-mcp`;
  const proxyStatus = chain.map((c) => c.message?.match(/^Proxy response \((\d{3})\)/)?.[1]).find(Boolean);
  if (proxyStatus === '407')
    return 'the proxy asks for credentials (407): give them in the proxy URL, as http://user:password@host:port';
  if (proxyStatus) return `the proxy answered ${proxyStatus} to the tunnel request`;
  const code = codes.find((c) => c !== 'UND_ERR_ABORTED');
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return code ?? chain[0]?.message ?? 'network error';
}

const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The fetch that applies `policy` to every request, every redirect hop included (the caller follows them).
 * `proxy` defaults to HTTPS_PROXY / HTTP_PROXY / NO_PROXY as the process was started with.
 */
export function guardedFetch(policy: OutboundPolicy, options: { proxy?: ProxySettings } = {}): OutboundFetch {
  const proxies = options.proxy ?? proxySettingsFromEnv();
  return async (input, init = {}) => {
    const url = new URL(String(input));
    const problem = urlProblem(url.href);
    if (problem) throw new OutboundError('OUTBOUND_URL_REFUSED', url.origin, problem, problem);
    const trusted = policy.trusts(url);
    const unreachable = (detail: string) =>
      new OutboundError('OUTBOUND_UNREACHABLE', url.origin, UNREACHABLE_MESSAGE, `${url.origin}: ${detail}`);
    if (!trusted) {
      const range = hostRange(url.hostname);
      if (range && range !== 'public') throw unreachable(`refused before connecting: a ${range} address`);
    }
    const proxy = proxyFor(url, proxies);
    if (proxy?.problem)
      throw new OutboundError('OUTBOUND_URL_REFUSED', url.origin, proxy.problem, proxy.problem);
    const { fetch, ProxyAgent, ...agent } = await loadAgents();
    try {
      // undici's own Response, not the global class: the documents path (document-limit.ts) reads its
      // body once into a global one for openid-client and jose; API calls read it themselves.
      return (await fetch(url, {
        ...(init as Parameters<typeof fetch>[1]),
        redirect: 'manual',
        dispatcher: proxy?.url
          ? proxyAgent(ProxyAgent, proxy.url)
          : trusted
            ? agent.trusted
            : agent.publicOnly,
      })) as unknown as Response;
    } catch (error) {
      // Cancellation and timeouts are the caller's; configured destinations keep their details for the operator.
      if (init.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = describeConnectionFailure(cause ?? error);
      if (proxy) {
        const through = `no connection could be made through the proxy ${proxyLabel(proxy)}`;
        throw new OutboundError(
          'OUTBOUND_UNREACHABLE',
          url.origin,
          trusted ? `${through}: ${why}` : through,
          `${url.origin} via ${proxyLabel(proxy)}: ${why}`,
        );
      }
      if (trusted) throw error;
      throw unreachable(cause?.code ?? cause?.message ?? String(error));
    }
  };
}
