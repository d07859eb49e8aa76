// An oauth-mcp server and a real SDK client joined in-process (InMemoryTransport), so every call goes
// through the SDK's schema validation; logs are captured instead of written to stderr.

import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createServer } from '../../src/server.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { TokenStore } from '../../src/store/token-store.js';
import { type ToolResult, toToolResult } from './tool-result.js';

export { type ToolResult, toolError } from './tool-result.js';

export interface InProcessServer {
  client: Client;
  runtime: Runtime;
  /** Calls a tool and returns the raw result (isError results included). */
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  /** Everything the server logged so far (debug level). */
  logs(): string;
  close(): Promise<void>;
}

/** `config` is the config file's content; the store defaults to a fresh memory store. */
export async function startInProcess(
  config: Record<string, unknown>,
  options: { store?: TokenStore; env?: Record<string, string> } = {},
): Promise<InProcessServer> {
  let logs = '';
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      logs += line;
    },
  });
  // Like CI=true for spawned servers: no browser, so sign-ins default to the code flow on any machine.
  const env = { OAUTH_MCP_NO_BROWSER: '1', ...options.env };
  const runtime = await createRuntime(parseConfig({ store: { type: 'memory' }, ...config }, env), logger, {
    ...(options.store ? { store: options.store } : {}),
    env,
  });
  const server = createServer({ engine: runtime.engine, logger });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'oauth-mcp-faults', version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    runtime,
    call: async (name, args = {}) => toToolResult(await client.callTool({ name, arguments: args })),
    logs: () => logs,
    close: async () => {
      await client.close();
      await server.close();
      // a store shared between servers belongs to the test, which closes it
      if (!options.store) await runtime.close();
    },
  };
}

export interface InProcessFixture {
  /** The running server; throws outside tests and hooks. */
  readonly server: InProcessServer;
  /** Its memory store, shared with the test (sessions put there are the server's). */
  readonly store: MemoryStore;
}

/**
 * `const mcp = useInProcessServer(() => demoConfig(as()))` at the top of a `describe` (or file): a server on
 * a fresh memory store for the file, or for each test with `{ each: true }`; then `mcp.server`, `mcp.store`.
 */
export function useInProcessServer(
  config: () => Record<string, unknown>,
  options: { each?: boolean } = {},
): InProcessFixture {
  let running: { server: InProcessServer; store: MemoryStore } | undefined;
  const get = () => {
    if (!running) throw new Error('the in-process server is not running (use it inside tests or hooks)');
    return running;
  };
  const start = async () => {
    const store = new MemoryStore();
    running = { server: await startInProcess(config(), { store }), store };
  };
  const stop = async () => {
    await running?.server.close();
    await running?.store.close();
    running = undefined;
  };
  (options.each ? beforeEach : beforeAll)(start);
  (options.each ? afterEach : afterAll)(stop);
  return {
    get server() {
      return get().server;
    },
    get store() {
      return get().store;
    },
  };
}
