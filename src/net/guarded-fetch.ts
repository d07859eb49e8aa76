// The one fetch for every outbound request: the outbound policy checked on the addresses DNS returns and
// connected to exactly those (no rebinding gap), redirects never followed, network failures told alike.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { hostRange, isPublicAddress, type OutboundPolicy, urlProblem } from './outbound-policy.js';

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
let agents: Promise<{ trusted: Agent; publicOnly: Agent; fetch: typeof import('undici').fetch }> | undefined;

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
  agents ??= loadUndici().then(({ Agent, fetch }) => ({
    trusted: new Agent(),
    publicOnly: new Agent({ connect: { lookup: publicOnlyLookup } }),
    fetch,
  }));
  return agents;
}

/** The fetch that applies `policy` to every request, every redirect hop included (the caller follows them). */
export function guardedFetch(policy: OutboundPolicy): OutboundFetch {
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
    const { fetch, ...agent } = await loadAgents();
    try {
      const response = await fetch(url, {
        ...(init as Parameters<typeof fetch>[1]),
        redirect: 'manual',
        dispatcher: trusted ? agent.trusted : agent.publicOnly,
      });
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
      });
    } catch (error) {
      // Cancellation and timeouts are the caller's; configured destinations keep their details for the operator.
      if (trusted || init.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw unreachable(cause?.code ?? cause?.message ?? String(error));
    }
  };
}
