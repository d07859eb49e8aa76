// Binding the HTTP port: the bind guard, the listening socket and the public base URL every link is built on.

import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertBindAllowed } from './guards.js';

export interface ListenOptions {
  /** Bind address; default 127.0.0.1. */
  host?: string | undefined;
  /** Default 8080; 0 picks a free port. */
  port?: number | undefined;
  /** The URL clients use (behind a reverse proxy); default http://<host>:<port>. */
  publicUrl?: string | undefined;
  /** Whether http.auth protects /mcp: without it only loopback may be bound. */
  authConfigured: boolean;
}

export interface HttpListener {
  server: Server;
  host: string;
  port: number;
  /** The public base URL without a trailing slash; MCP is at `${base}/mcp`. */
  base: string;
}

export async function listenHttp(options: ListenOptions): Promise<HttpListener> {
  const host = options.host ?? '127.0.0.1';
  assertBindAllowed(host, options.authConfigured, options.publicUrl);
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
  return { server, host, port, base };
}
