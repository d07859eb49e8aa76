// Loopback redirect (RFC 8252 section 7.3): an http listener on 127.0.0.1 that receives the authorization
// response. It starts on first use (never at start-up), lives only while flows wait on it, then closes.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { isLoopbackHost } from '../../net/outbound-policy.js';
import { guardedRequestHandler } from '../../net/request-handler.js';
import type { CallbackPage } from './pages.js';

const DEFAULT_CALLBACK_PATH = '/callback';

type CallbackHandler = (callbackUrl: URL) => Promise<CallbackPage>;

interface Listener {
  server: Server;
  port: number;
  /** Flows waiting on this listener: the redirect path each registered, and the timer that releases it at its expiry. */
  flows: Map<string, { path: string; timer: NodeJS.Timeout }>;
}

/**
 * `fixedRedirectUri` is the provider's configured `redirectUri`: its port is used when it has one,
 * else an ephemeral port; its path is kept (default `/callback`).
 */
export function loopbackTarget(fixedRedirectUri?: string): { port: number; path: string } {
  if (!fixedRedirectUri) return { port: 0, path: DEFAULT_CALLBACK_PATH };
  const url = new URL(fixedRedirectUri);
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
    throw new OAuthToolError(
      'not_configured',
      `The provider's redirectUri ${url.origin}${url.pathname} is not a loopback http URL, so this stdio server cannot receive the sign-in. Use http://127.0.0.1/callback (any port) or run in HTTP mode, where /oauth/callback receives it.`,
    );
  }
  return { port: url.port ? Number(url.port) : 0, path: url.pathname || DEFAULT_CALLBACK_PATH };
}

class LoopbackRedirects {
  readonly #listeners = new Map<number, Promise<Listener>>();

  /**
   * Holds a listener on `port` (0 = any of ours, else a new ephemeral one) for `flowId` until it is
   * released or `expiresAt` passes; returns the redirect URI `http://127.0.0.1:<port><path>`.
   */
  async acquire(options: {
    port: number;
    path: string;
    flowId: string;
    expiresAt: string;
    handler: CallbackHandler;
    logger: Logger;
  }): Promise<string> {
    const existing =
      options.port === 0 ? [...this.#listeners.values()][0] : this.#listeners.get(options.port);
    const listener = await (existing ?? this.#listen(options.port, options.handler, options.logger));
    const redirectUri = `http://127.0.0.1:${listener.port}${options.path}`;
    clearTimeout(listener.flows.get(options.flowId)?.timer);
    const timer = setTimeout(
      () => void this.release(redirectUri, options.flowId),
      Math.max(0, Date.parse(options.expiresAt) - Date.now()),
    );
    timer.unref();
    listener.flows.set(options.flowId, { path: options.path, timer });
    return redirectUri;
  }

  /** The flow no longer waits: the listener closes when no flow holds it any more. */
  async release(redirectUri: string, flowId: string): Promise<void> {
    const port = Number(new URL(redirectUri).port);
    const listener = await this.#listeners.get(port)?.catch(() => undefined);
    if (!listener) return;
    clearTimeout(listener.flows.get(flowId)?.timer);
    listener.flows.delete(flowId);
    if (listener.flows.size > 0) return;
    this.#listeners.delete(port);
    listener.server.close();
    listener.server.closeIdleConnections();
  }

  /** Whether a listener is open (tests check that none outlives its flows). */
  openPorts(): number[] {
    return [...this.#listeners.keys()];
  }

  #listen(port: number, handler: CallbackHandler, logger: Logger): Promise<Listener> {
    const flows: Listener['flows'] = new Map();
    // One page per connection: a browser's keep-alive connection (its /favicon.ico request) must not
    // outlive the flow, nor reach a later flow's listener on the same port.
    const answer = (req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('Connection', 'close');
      // The socket knows its port even after the listener was released (server.address() is then null).
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${req.socket.localPort}`);
      // Only a registered redirect path is a callback: any other request must not consume a flow's code.
      const registered = [...flows.values()].some((flow) => flow.path === url.pathname);
      if (req.method !== 'GET' || !registered) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      return handler(url).then((page) => res.writeHead(page.status, page.headers).end(page.body));
    };
    const server = createServer(
      guardedRequestHandler(answer, (error) =>
        logger.error('loopback redirect request failed', { message: (error as Error).message }),
      ),
    );
    // Never keeps the process alive on its own: the MCP transport decides when the server exits.
    server.unref();
    const listening = new Promise<Listener>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const actual = (server.address() as AddressInfo).port;
        const listener: Listener = { server, port: actual, flows };
        if (port === 0) {
          this.#listeners.delete(0);
          this.#listeners.set(actual, Promise.resolve(listener));
        }
        logger.debug(`loopback redirect listening on 127.0.0.1:${actual}`);
        resolve(listener);
      });
    }).catch((error: NodeJS.ErrnoException) => {
      this.#listeners.delete(port);
      throw new OAuthToolError(
        'not_configured',
        `Cannot listen on 127.0.0.1:${port || '(ephemeral)'} for the sign-in redirect (${error.code ?? error.message}). ${port ? "Another program uses that port: free it or change the port of the provider's redirectUri." : 'Check that loopback networking is available.'}`,
        { detail: error.message },
      );
    });
    this.#listeners.set(port, listening);
    return listening;
  }
}

/** The process-wide listeners (stdio mode): one per port, shared by every pending flow. */
export const loopbackRedirects = new LoopbackRedirects();
