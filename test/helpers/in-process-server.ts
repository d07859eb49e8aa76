// An oauth-mcp server and a real SDK client joined in-process (InMemoryTransport), so every call goes
// through the SDK's schema validation; logs are captured instead of written to stderr.

import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createServer } from '../../src/server.js';
import type { TokenStore } from '../../src/store/token-store.js';

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, any>;
}

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
  const runtime = await createRuntime(
    parseConfig({ store: { type: 'memory' }, ...config }, {}),
    logger,
    // Like CI=true for spawned servers: no browser, so sign-ins default to the code flow on any machine.
    {
      ...(options.store ? { store: options.store } : {}),
      env: { OAUTH_MCP_NO_BROWSER: '1', ...options.env },
    },
  );
  const server = createServer({ engine: runtime.engine, logger });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'oauth-mcp-faults', version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    runtime,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as ToolResult,
    logs: () => logs,
    close: async () => {
      await client.close();
      await server.close();
      // a store shared between servers belongs to the test, which closes it
      if (!options.store) await runtime.close();
    },
  };
}

/** The structured error of a failed tool result (throws when the call did not fail). */
export function toolError(result: ToolResult): { code: string; message: string } {
  if (!result.isError)
    throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { error: { code: string; message: string } }).error;
}
