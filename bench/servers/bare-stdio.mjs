// Baseline for the cold-start benchmark: a bare SDK v2 stdio server with one zod tool, built the way
// oauth-mcp is (McpServer + serveStdio + zod), and nothing else.

import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

function createServer() {
  const server = new McpServer({ name: 'bare', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'echo',
    {
      description: 'Echoes its input',
      inputSchema: z.object({ text: z.string().describe('what to echo') }),
      outputSchema: z.object({ text: z.string() }),
    },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
}

serveStdio(createServer);
process.stdin.on('end', () => process.exit(0));
