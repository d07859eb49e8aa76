// A tiny protected resource on loopback for oauth_call_api tests: it checks the bearer token by
// introspection at the real authorization server and records what every request carried.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Every request header as received. */
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LoopbackApi {
  origin: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => Promise<void> | void;

/** Starts an API on 127.0.0.1; `introspection` validates bearer tokens on the routes that need one. */
export async function startLoopbackApi(
  introspection: oidc.Configuration | undefined,
  extraRoutes: Record<string, Route> = {},
): Promise<LoopbackApi> {
  const requests: SeenRequest[] = [];
  const routes: Record<string, Route> = {
    '/whoami': async (_req, res, seen) => {
      const token = seen.authorization?.match(/^Bearer (.+)$/)?.[1];
      const info = token && introspection ? await oidc.tokenIntrospection(introspection, token) : undefined;
      if (!info?.active) {
        res.writeHead(401, {
          'www-authenticate': 'Bearer error="invalid_token"',
          'content-type': 'application/json',
        });
        res.end(JSON.stringify({ error: 'invalid_token' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-1' });
      res.end(JSON.stringify({ sub: info.sub, scope: info.scope, method: seen.method, body: seen.body }));
    },
    ...extraRoutes,
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(seen);
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    try {
      await route(req, res, seen);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
