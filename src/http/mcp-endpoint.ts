// /mcp as a fetch handler: bearer gate, then 2026-era requests to createMcpHandler and 2025-era ones to
// sessionful transports bound to the token's principal (or to the stateless fallback, for several instances).

import { randomUUID } from 'node:crypto';
import {
  type AuthInfo,
  createMcpHandler,
  type HandleRequestOptions,
  isLegacyRequest,
  type McpRequestContext,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { Logger } from '../log.js';
import { principalOf } from './resource-server.js';

interface McpEndpointOptions {
  /**
   * A new McpServer for one request (2026-era) or one 2025-era session; `tool` names the one tool a
   * 2026-era tools/call can reach, so the server may register only that one.
   */
  factory: (tool?: string) => McpServer;
  /**
   * The verified token (synchronously for a token verified before: no promise per request), or the 401/403
   * answer; absent when http.auth is not configured.
   */
  gate?: (request: Request) => AuthInfo | Response | Promise<AuthInfo | Response>;
  legacySessions: 'stateful' | 'stateless';
  maxBodyBytes: number;
  logger: Logger;
}

interface LegacySession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  principal: string | undefined;
  lastSeen: number;
}

/** A 2025-era session idle this long is closed; its client re-initializes on the 404 it then gets. */
const SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 1_000;
/** One user's share: whoever exceeds it is refused, and nobody else notices. */
const MAX_SESSIONS_PER_PRINCIPAL = 20;

export class McpEndpoint {
  readonly #options: McpEndpointOptions;
  readonly #modern: ReturnType<typeof createMcpHandler>;
  readonly #sessions = new Map<string, LegacySession>();
  /** Initializes in progress per principal. */
  readonly #opening = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: McpEndpointOptions) {
    this.#options = options;
    this.#modern = createMcpHandler((context) => options.factory(calledTool(context)), {
      legacy: options.legacySessions === 'stateless' ? 'stateless' : 'reject',
      maxRequestBodySize: options.maxBodyBytes,
      onerror: (error) => options.logger.debug(`mcp handler: ${error.message}`),
    });
    this.#sweeper = setInterval(() => this.#sweep(), 60_000).unref();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  fetch = async (request: Request): Promise<Response> => {
    let authInfo: AuthInfo | undefined;
    if (this.#options.gate) {
      const pending = this.#options.gate(request);
      const verdict = pending instanceof Promise ? await pending : pending;
      if (verdict instanceof Response) return verdict;
      authInfo = verdict;
    }
    if (this.#options.legacySessions !== 'stateful') {
      return this.#modern.fetch(request, authInfo ? { authInfo } : undefined);
    }
    // One read and parse for both the era check and the handler (alone, each clones and parses the body).
    const { readable, parsedBody } = await parseOnce(request);
    const options = {
      ...(authInfo ? { authInfo } : {}),
      ...(parsedBody === undefined ? {} : { parsedBody }),
    };
    const legacy = await isLegacyRequest(readable, parsedBody, {
      maxRequestBodySize: this.#options.maxBodyBytes,
    });
    if (legacy) return this.#legacy(readable, options);
    return this.#modern.fetch(readable, options);
  };

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => this.#closeSession(session)));
    await this.#modern.close();
  }

  async #legacy(request: Request, options: HandleRequestOptions): Promise<Response> {
    const principal = principalOf(options.authInfo);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = this.#sessions.get(sessionId);
      // Another user's session id is answered exactly like an unknown one: it reveals nothing.
      if (!session || session.principal !== principal) {
        return jsonRpcError(404, -32001, 'Session not found: start a new session with initialize.');
      }
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request, options);
    }
    if (request.method !== 'POST') {
      return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required.');
    }
    if (principal !== undefined && this.#sessionsOf(principal) >= MAX_SESSIONS_PER_PRINCIPAL) {
      this.#sweep();
      if (this.#sessionsOf(principal) >= MAX_SESSIONS_PER_PRINCIPAL) {
        return jsonRpcError(
          429,
          -32000,
          `You have ${MAX_SESSIONS_PER_PRINCIPAL} open MCP sessions, the most one user may hold. Close unused ones (HTTP DELETE with their Mcp-Session-Id) or wait until idle ones expire (${SESSION_IDLE_MS / 60_000} minutes).`,
          { 'Retry-After': '60' },
        );
      }
    }
    if (this.#sessions.size >= MAX_SESSIONS) {
      this.#sweep();
      if (this.#sessions.size >= MAX_SESSIONS) {
        return jsonRpcError(503, -32000, 'Too many open MCP sessions; retry later.');
      }
    }
    // Counted while it initializes, so a burst of parallel initializes cannot slip past the quota.
    const key = principal ?? '';
    this.#opening.set(key, (this.#opening.get(key) ?? 0) + 1);
    try {
      return await this.#open(request, principal, options);
    } finally {
      const left = (this.#opening.get(key) ?? 1) - 1;
      if (left > 0) this.#opening.set(key, left);
      else this.#opening.delete(key);
    }
  }

  async #open(
    request: Request,
    principal: string | undefined,
    options: HandleRequestOptions,
  ): Promise<Response> {
    const server = this.#options.factory();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.#options.maxBodyBytes,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { transport, server, principal, lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request, options);
    // Anything but a successful initialize leaves no session behind (malformed JSON, a stray request).
    if (!transport.sessionId || !this.#sessions.has(transport.sessionId)) await server.close();
    return response;
  }

  #sessionsOf(principal: string): number {
    let count = this.#opening.get(principal) ?? 0;
    for (const session of this.#sessions.values()) if (session.principal === principal) count++;
    return count;
  }

  #sweep(): void {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, session] of this.#sessions) {
      if (session.lastSeen < cutoff) {
        this.#sessions.delete(id);
        void this.#closeSession(session);
      }
    }
  }

  async #closeSession(session: LegacySession): Promise<void> {
    await session.server.close().catch((error: Error) => this.#options.logger.debug(error.message));
  }
}

/** The tool a 2026-era tools/call names: the SDK has matched the Mcp-Name header to the body by now. */
function calledTool(context: McpRequestContext): string | undefined {
  const headers = context.requestInfo?.headers;
  if (context.era !== 'modern' || headers?.get('mcp-method')?.trim() !== 'tools/call') return undefined;
  return headers.get('mcp-name')?.trim() || undefined;
}

/**
 * The parsed JSON body of a POST, or, when there is none (empty, not JSON, unreadable), a readable copy
 * of the request for the SDK to answer exactly as it would have.
 */
async function parseOnce(request: Request): Promise<{ readable: Request; parsedBody?: unknown }> {
  if (request.method !== 'POST') return { readable: request };
  let text = '';
  try {
    text = await request.text();
    if (text.length > 0) return { readable: request, parsedBody: JSON.parse(text) };
  } catch {
    // not JSON: the SDK's answer (a parse error, or the legacy transport's) comes from the copy
  }
  const { url, method, headers, signal } = request;
  return { readable: new Request(url, { method, headers, body: text, signal }) };
}

function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers });
}
