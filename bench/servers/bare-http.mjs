// Baseline for the HTTP benchmark: a bare SDK v2 HTTP server (createMcpHandler + toNodeHandler) with one
// zod tool, stateless per request the way the SDK documents it; listens on 127.0.0.1:$PORT.

import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

function createMcpServer() {
  const server = new McpServer({ name: 'bare-http', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'list_sessions',
    {
      description: 'Lists sessions',
      inputSchema: z.object({ provider: z.string().optional().describe('only this provider') }),
      outputSchema: z.object({ sessions: z.array(z.object({ session_id: z.string() })) }),
    },
    async () => {
      const data = { sessions: [] };
      return { content: [{ type: 'text', text: JSON.stringify(data, null, 2) }], structuredContent: data };
    },
  );
  return server;
}

const handler = toNodeHandler(createMcpHandler(createMcpServer));
const server = createServer((req, res) => void handler(req, res));
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stderr.write('serving\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
