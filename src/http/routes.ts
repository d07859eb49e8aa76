// The routes of the HTTP server: /healthz, the RFC 9728 metadata, the sign-in pages, the providers' Client ID
// Metadata Documents, /mcp; 404 for the rest.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthEngine } from '../auth/engine.js';
import type { CallbackPage } from '../auth/index.js';
import { CLIENT_METADATA_PATH } from '../auth/views.js';
import type { Guard } from './guards.js';

const START_PREFIX = '/oauth/start/';
const MAX_FORM_BYTES = 4096;

const PRM_PATHS = new Set([
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
]);

interface Routes {
  engine: OAuthEngine;
  base: string;
  checkHost: Guard | undefined;
  checkOrigin: Guard;
  /** The RFC 9728 document, when http.auth is set. */
  resourceMetadata: unknown;
  mcp: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
}

export function router(routes: Routes): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { engine, base, checkHost, checkOrigin, resourceMetadata, mcp } = routes;
  return async (req, res) => {
    if (checkHost && !checkHost(req, res)) return;
    // `//x:99999` is a valid request target to Node but no URL: answered, never thrown.
    if (!URL.canParse(req.url ?? '/', 'http://local')) {
      return sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'The request path is malformed.',
      });
    }
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (PRM_PATHS.has(path) && resourceMetadata) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {}, { Allow: 'GET' });
      return sendJson(res, 200, resourceMetadata, { 'Access-Control-Allow-Origin': '*' });
    }
    if (path === '/oauth/callback') {
      if (req.method !== 'GET') return sendJson(res, 405, {}, { Allow: 'GET' });
      // No bearer token here: the single-use `state` finds the flow, the start page's cookie proves the browser.
      const url = new URL(req.url ?? '/', base);
      const { completeAuthorizationCallback } = await import('../auth/index.js');
      return sendPage(res, await completeAuthorizationCallback(engine.ctx, url, req.headers.cookie));
    }
    if (path.startsWith(START_PREFIX)) {
      if (req.method !== 'GET' && req.method !== 'POST')
        return sendJson(res, 405, {}, { Allow: 'GET, POST' });
      const form = req.method === 'POST' ? await readForm(req) : undefined;
      if (form === null) return sendJson(res, 413, { error: 'request_too_large' });
      const { handleStartPage } = await import('../auth/index.js');
      const page = await handleStartPage(engine.ctx, {
        method: req.method,
        handle: path.slice(START_PREFIX.length),
        cookie: req.headers.cookie,
        form,
      });
      return sendPage(res, page);
    }
    if (path.startsWith(CLIENT_METADATA_PATH)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {}, { Allow: 'GET' });
      const { clientMetadataDocument } = await import('../auth/index.js');
      const name = path.slice(CLIENT_METADATA_PATH.length);
      const document = await clientMetadataDocument(
        engine.ctx.registry,
        engine.ctx.callbackUrl,
        name,
        `${base}${path}`,
      );
      if (document) return sendJson(res, 200, document, { 'Cache-Control': 'public, max-age=300' });
    }
    if (path === '/mcp') {
      if (!checkOrigin(req, res)) return;
      return mcp(req, res);
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No route ${path}; MCP is served at /mcp.` });
  };
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

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
