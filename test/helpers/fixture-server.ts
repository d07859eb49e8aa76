// A small authorization server stand-in on 127.0.0.1 for a test: each route answers what the test says
// (a recorded discovery document, a deviating token endpoint, ...) and every request is recorded.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RouteAnswer {
  status?: number;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Routes by `METHOD /path` or `/path`; a function sees the request (and the server's origin). */
export type Routes = Record<
  string,
  RouteAnswer | ((request: RecordedRequest, origin: string) => RouteAnswer)
>;

export interface FixtureServer {
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFixtureServer(routes: (origin: string) => Routes): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  let table: Routes = {};
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', origin).pathname;
      const request = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(request);
      const route = table[`${request.method} ${path}`] ?? table[path];
      const answer = typeof route === 'function' ? route(request, origin) : route;
      if (!answer) {
        res.writeHead(404).end();
        return;
      }
      const json = typeof answer.body !== 'string';
      res.writeHead(answer.status ?? 200, {
        ...(json ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      });
      res.end(json ? JSON.stringify(answer.body ?? {}) : answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  table = routes(origin);
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A recorded document with its server's origin (or issuer base) replaced by the test server's. */
export function rehomed<T>(document: T, from: string, to: string): T {
  return JSON.parse(JSON.stringify(document).split(from).join(to)) as T;
}
