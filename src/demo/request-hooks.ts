// Request counting and fault injection for the demo authorization server (used by tests and benchmarks).
import type { KoaContextWithOIDC } from 'oidc-provider';

export interface InjectedResponse {
  status: number;
  body: string;
  /** Default 'application/json'. */
  contentType?: string;
}

export interface RequestHooks {
  /** Requests received so far, by `METHOD /path` and, for the token endpoint, by `grant:<grant_type>`. */
  counts(): Record<string, number>;
  resetCounts(): void;
  /** The next request to `path` ('/token' or 'POST /token') gets this response instead (queued, one per call). */
  failNext(path: string, response: InjectedResponse): void;
  /** Holds every request to `path` for `ms` before the provider sees it, until `clearFaults()`. */
  delay(path: string, ms: number): void;
  clearFaults(): void;
}

/** What a test sees of each request the provider handled (its parsed form body included). */
export interface ObservedRequest {
  method: string;
  path: string;
  body?: unknown;
  authorization?: string;
}

interface RequestHookOptions {
  /** Added to device authorization responses as `interval`. */
  devicePollInterval?: number | undefined;
  /** Sees every request after the provider handled it. */
  onRequest?: ((request: ObservedRequest) => void) | undefined;
  /** Answer 404 to every `/.well-known/` request (still counted), as servers without discovery do. */
  blockDiscovery?: boolean | undefined;
}

/** Returns the hooks and the Koa middleware that applies them. */
export function createRequestHooks({
  devicePollInterval,
  onRequest,
  blockDiscovery = false,
}: RequestHookOptions = {}) {
  const requestCounts = new Map<string, number>();
  const bump = (key: string) => requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
  const injected = new Map<string, InjectedResponse[]>();
  const delays = new Map<string, number>();
  const keyOf = (map: Map<string, unknown>, ctx: KoaContextWithOIDC) =>
    [`${ctx.method} ${ctx.path}`, ctx.path].find((key) => map.has(key));

  const middleware = async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    bump(`${ctx.method} ${ctx.path}`);
    if (blockDiscovery && ctx.path.startsWith('/.well-known/')) {
      ctx.status = 404;
      return;
    }
    const delayKey = keyOf(delays, ctx);
    if (delayKey) await new Promise((resolve) => setTimeout(resolve, delays.get(delayKey)));
    const failKey = keyOf(injected, ctx);
    const fault = failKey ? injected.get(failKey)?.shift() : undefined;
    if (failKey && injected.get(failKey)?.length === 0) injected.delete(failKey);
    if (fault) {
      ctx.status = fault.status;
      ctx.type = fault.contentType ?? 'application/json';
      ctx.body = fault.body;
      return;
    }
    await next();
    onRequest?.({
      method: ctx.method,
      path: ctx.path,
      ...(ctx.oidc?.body ? { body: ctx.oidc.body } : {}),
      ...(typeof ctx.headers.authorization === 'string' ? { authorization: ctx.headers.authorization } : {}),
    });
    const grantType = ctx.oidc?.body?.grant_type;
    if (ctx.path === '/token' && typeof grantType === 'string') bump(`grant:${grantType}`);
    // oidc-provider sends no interval, so clients fall back to 5 s (RFC 8628 section 3.2)
    if (devicePollInterval && ctx.path === '/device/auth' && ctx.status === 200) {
      (ctx.body as Record<string, unknown>).interval = devicePollInterval;
    }
  };

  const hooks: RequestHooks = {
    counts: () => Object.fromEntries(requestCounts),
    resetCounts: () => requestCounts.clear(),
    failNext: (path, response) => injected.set(path, [...(injected.get(path) ?? []), response]),
    delay: (path, ms) => delays.set(path, ms),
    clearFaults: () => {
      injected.clear();
      delays.clear();
    },
  };
  return { hooks, middleware };
}
