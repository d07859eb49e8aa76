// The streamable HTTP server: /mcp (bearer-protected when http.auth is set), the RFC 9728 metadata, the
// sign-in pages (/oauth/start, /oauth/callback), /healthz, Host and Origin checks, a body limit, and a
// graceful close that lets in-flight requests finish.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { ServerContext } from '@modelcontextprotocol/server';
import { completeAuthorizationCallback } from '../auth/authorization-code.js';
import type { CallbackPage } from '../auth/callback-page.js';
import { OAuthEngine } from '../auth/engine.js';
import { OAuthToolError } from '../auth/errors.js';
import { handleStartPage } from '../auth/start-page.js';
import type { Runtime } from '../runtime.js';
import { createServer } from '../server.js';
import type { ToolSelection } from '../tools/registry.js';
import { assertBindAllowed, hostGuard, originGuard } from './guards.js';
import { McpEndpoint } from './mcp-endpoint.js';
import { createResourceServer, principalOf } from './resource-server.js';

export interface HttpServerOptions {
  runtime: Runtime;
  selection?: ToolSelection;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** The URL clients use (behind a reverse proxy); default http://<host>:<port>. */
  publicUrl?: string | undefined;
  /** How long close() waits for in-flight requests before cutting connections; default 10 000 ms. */
  gracefulMs?: number;
}

export interface RunningHttpServer {
  /** The public base URL; MCP is at `${url}/mcp`. */
  url: string;
  close(): Promise<void>;
}

const START_PREFIX = '/oauth/start/';
const MAX_FORM_BYTES = 4096;

const PRM_PATHS = new Set([
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
]);

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { runtime } = options;
  const { config, logger } = runtime;
  const host = options.host ?? '127.0.0.1';
  const auth = config.http.auth;
  assertBindAllowed(host, auth !== undefined, options.publicUrl);
  logger.addSecret(auth?.introspection?.clientSecret);

  const server = createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = (options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  const publicUrl = new URL(base);
  const mcpUrl = new URL(`${base}/mcp`);
  // Sign-ins redirect to this server, so a flow started on one instance can complete on any other. Remote
  // users never get a browser opened on this machine (whose signed-in browser would complete their sign-in).
  const engine = new OAuthEngine({
    ...runtime.engine.ctx,
    callbackUrl: `${base}/oauth/callback`,
    httpMode: true,
    openBrowser: false,
  });

  const resource = auth
    ? createResourceServer({
        auth,
        mcpUrl,
        registry: runtime.engine.ctx.registry,
        logger,
        timeoutMs: config.timeoutMs,
      })
    : undefined;
  const factory = (tool?: string) =>
    createServer({
      engine,
      logger,
      ...(tool ? { onlyTool: tool } : {}),
      ...(options.selection ? { selection: options.selection } : {}),
      ...(resource ? { principalOf: requirePrincipal, scopeChallenge: resource.toolScopeChallenge } : {}),
    });
  const endpoint = new McpEndpoint({
    factory,
    ...(resource ? { gate: resource.gate } : {}),
    legacySessions: config.http.legacySessions,
    maxBodyBytes: config.http.maxBodyBytes,
    logger,
  });
  const mcp = toNodeHandler(endpoint, {
    maxRequestBodySize: config.http.maxBodyBytes,
    onerror: (error) => logger.warn(`/mcp request failed: ${error.message}`),
  });
  const checkHost = hostGuard(host, publicUrl);
  const checkOrigin = originGuard(host, port, publicUrl, config.http.allowedBrowserOrigins);

  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) return void sendJson(res, 503, { error: 'shutting_down' }, { Connection: 'close' });
    // Long-lived GET streams do not hold up shutdown; requests that do work do.
    const counted = req.method !== 'GET';
    if (counted) inFlight++;
    res.once('close', () => {
      if (counted && --inFlight === 0) drained?.();
    });
    void route(req, res).catch((error: unknown) => {
      logger.error(`HTTP request failed: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (checkHost && !checkHost(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (PRM_PATHS.has(path) && resource) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {}, { Allow: 'GET' });
      return sendJson(res, 200, resource.metadata, { 'Access-Control-Allow-Origin': '*' });
    }
    if (path === '/oauth/callback') {
      if (req.method !== 'GET') return sendJson(res, 405, {}, { Allow: 'GET' });
      // No bearer token here: the single-use `state` finds the flow, the start page's cookie proves the browser.
      const url = new URL(req.url ?? '/', base);
      return sendPage(res, await completeAuthorizationCallback(engine.ctx, url, req.headers.cookie));
    }
    if (path.startsWith(START_PREFIX)) {
      if (req.method !== 'GET' && req.method !== 'POST')
        return sendJson(res, 405, {}, { Allow: 'GET, POST' });
      const form = req.method === 'POST' ? await readForm(req) : undefined;
      if (form === null) return sendJson(res, 413, { error: 'request_too_large' });
      const page = await handleStartPage(engine.ctx, {
        method: req.method,
        handle: path.slice(START_PREFIX.length),
        cookie: req.headers.cookie,
        form,
      });
      return sendPage(res, page);
    }
    if (path === '/mcp') {
      if (!checkOrigin(req, res)) return;
      return mcp(req, res);
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No route ${path}; MCP is served at /mcp.` });
  }

  logger.info(
    `serving MCP over streamable HTTP at ${mcpUrl.href}${resource ? ` (bearer tokens from ${auth?.issuer}, audience ${auth?.audience})` : ' (no http.auth: loopback only, every caller shares one token store)'}`,
  );

  return {
    url: base,
    async close() {
      if (closing) return;
      closing = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, options.gracefulMs ?? 10_000).unref();
        });
      }
      await endpoint.close();
      server.closeAllConnections();
    },
  };
}

function requirePrincipal(ctx: ServerContext): string {
  const principal = principalOf(ctx);
  // The bearer gate guarantees a principal; without one no tool may fall back to the shared namespace.
  if (!principal) throw new OAuthToolError('not_authenticated', 'This request carries no verified user.');
  return principal;
}

function sendPage(res: ServerResponse, page: CallbackPage): void {
  res.writeHead(page.status, page.headers);
  res.end(page.body);
}

/** The start page's form: a few hundred bytes; null when the body is larger than any real one. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_FORM_BYTES) return null;
  }
  return new URLSearchParams(body);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
