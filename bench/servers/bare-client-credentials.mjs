// Baseline for the tool-overhead benchmark: a bare SDK v2 stdio server whose one tool performs the
// client-credentials grant with openid-client against ISSUER (CLIENT_ID / CLIENT_SECRET from the env).

import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as client from 'openid-client';
import { z } from 'zod';

const { ISSUER, CLIENT_ID, CLIENT_SECRET } = process.env;
let configuration;
const configure = () => {
  configuration ??= client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET, undefined, {
    execute: [client.allowInsecureRequests],
  });
  return configuration;
};

function createServer() {
  const server = new McpServer({ name: 'bare-cc', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'client_credentials',
    {
      description: 'A client-credentials token',
      inputSchema: z.object({ scope: z.string().optional().describe('scopes to request') }),
      outputSchema: z.object({ token_type: z.string(), expires_in: z.number().optional() }),
    },
    async ({ scope }) => {
      const tokens = await client.clientCredentialsGrant(await configure(), scope ? { scope } : {});
      const data = { token_type: tokens.token_type, expires_in: tokens.expires_in };
      return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
    },
  );
  return server;
}

serveStdio(createServer);
process.stdin.on('end', () => process.exit(0));
