// The streamable HTTP server: /mcp (bearer-protected when http.auth is set), the RFC 9728 metadata, the
// sign-in pages (/oauth/start, /oauth/callback), /healthz, Host and Origin checks, a body limit, and a
// graceful close that lets in-flight requests finish.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { ServerContext } from '@modelcontextprotocol/server';
import { OAuthToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { guardedRequestHandler } from '../net/request-handler.js';
import type { Runtime } from '../runtime.js';
import { createServer } from '../server.js';
import type { ToolSelection } from '../tools/registry.js';
import { hostGuard, originGuard } from './guards.js';
import type { HttpListener } from './listener.js';
import { McpEndpoint } from './mcp-endpoint.js';
import { createResourceServer, principalOf, type ResourceServer } from './resource-server.js';
import { router, sendJson } from './routes.js';

export interface HttpServerOptions {
  /** A runtime created for HTTP mode (`createRuntime(..., { http: { publicUrl: listener.base } })`). */
  runtime: Runtime;
  /** The bound port, from `listenHttp`. */
  listener: HttpListener;
  selection?: ToolSelection;
  /** How long close() waits for in-flight requests before cutting connections; default 10 000 ms. */
  gracefulMs?: number;
}

export interface RunningHttpServer {
  /** The public base URL; MCP is at `${url}/mcp`. */
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { runtime, listener } = options;
  const { config, logger, engine } = runtime;
  const { host, port, base } = listener;
  const auth = config.http.auth;
  logger.addSecret(auth?.introspection?.clientSecret);
  const publicUrl = new URL(base);
  const mcpUrl = new URL(`${base}/mcp`);
  const resource = auth
    ? createResourceServer({
        auth,
        mcpUrl,
        registry: engine.ctx.registry,
        logger,
        timeoutMs: config.timeoutMs,
      })
    : undefined;
  const endpoint = mcpEndpoint(runtime, resource, options.selection);
  const route = router({
    engine,
    base,
    checkHost: hostGuard(host, publicUrl),
    checkOrigin: originGuard(host, port, publicUrl, config.http.allowedBrowserOrigins),
    resourceMetadata: resource?.metadata,
    mcp: toNodeHandler(endpoint, {
      maxRequestBodySize: config.http.maxBodyBytes,
      onerror: (error) => logger.warn(`/mcp request failed: ${error.message}`),
    }),
  });
  logger.info(
    `serving MCP over streamable HTTP at ${mcpUrl.href}${resource ? ` (bearer tokens from ${auth?.issuer}, audience ${auth?.audience})` : ' (no http.auth: loopback only, every caller shares one token store)'}`,
  );
  const close = serve(listener.server, route, logger, options.gracefulMs ?? 10_000);
  return {
    url: base,
    async close() {
      if (!(await close())) return;
      await endpoint.close();
      listener.server.closeAllConnections();
    },
  };
}

/** /mcp: a server per session or request from one factory, behind the bearer gate when http.auth is set. */
function mcpEndpoint(
  runtime: Runtime,
  resource: ResourceServer | undefined,
  selection: ToolSelection | undefined,
): McpEndpoint {
  const { config, logger, engine } = runtime;
  return new McpEndpoint({
    factory: (tool?: string) =>
      createServer({
        engine,
        logger,
        ...(tool ? { onlyTool: tool } : {}),
        ...(selection ? { selection } : {}),
        ...(resource ? { principalOf: requirePrincipal, scopeChallenge: resource.toolScopeChallenge } : {}),
      }),
    ...(resource ? { gate: resource.gate } : {}),
    legacySessions: config.http.legacySessions,
    maxBodyBytes: config.http.maxBodyBytes,
    logger,
  });
}

/**
 * Hands every request to `route`, counting those that do work; the returned close() stops accepting,
 * waits up to `gracefulMs` for them, and resolves true the first time it is called.
 */
function serve(
  server: Server,
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  logger: Logger,
  gracefulMs: number,
): () => Promise<boolean> {
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (closing) return sendJson(res, 503, { error: 'shutting_down' }, { Connection: 'close' });
    // Long-lived GET streams do not hold up shutdown; requests that do work do.
    const counted = req.method !== 'GET';
    if (counted) inFlight++;
    res.once('close', () => {
      if (counted && --inFlight === 0) drained?.();
    });
    return route(req, res);
  };
  server.on(
    'request',
    guardedRequestHandler(handle, (error) =>
      logger.error(`HTTP request failed: ${(error as Error).message}`),
    ),
  );
  return async () => {
    if (closing) return false;
    closing = true;
    server.close();
    server.closeIdleConnections();
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, gracefulMs).unref();
      });
    }
    return true;
  };
}

function requirePrincipal(ctx: ServerContext): string {
  const principal = principalOf(ctx.http?.authInfo);
  // The bearer gate guarantees a principal; without one no tool may fall back to the shared namespace.
  if (!principal) throw new OAuthToolError('not_authenticated', 'This request carries no verified user.');
  return principal;
}
