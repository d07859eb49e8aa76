// A machine client of HTTP mode: the SDK's ClientCredentialsProvider (v1 client/auth-extensions) with a
// client the authorization server knows. With the scopes configured it lists and calls tools; without, the
// AS grants a token with no scope and our refusal says which scopes to ask for.

import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { MCP_SCOPES } from '../helpers/http-server-process.js';
import { MACHINE_CLIENT, useMcpHttpDeployment } from '../helpers/mcp-http-deployment.js';
import { toToolResult } from '../helpers/tool-result.js';

const deployment = await useMcpHttpDeployment();
const info = { name: 'machine-client', version: '1.0.0' };

/** Connects with client credentials and keeps every refusal /mcp gave, to read its challenges. */
function machine(scope?: string) {
  const answers: Response[] = [];
  const provider = new ClientCredentialsProvider({
    clientId: MACHINE_CLIENT.clientId,
    clientSecret: MACHINE_CLIENT.clientSecret,
    expectedIssuer: deployment.issuer,
    ...(scope ? { scope } : {}),
  });
  const transport = new StreamableHTTPClientTransport(new URL(deployment.mcpUrl), {
    authProvider: provider,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      // Only refusals: a clone of an event stream nobody reads would stall it.
      if (String(url).startsWith(deployment.mcpUrl) && response.status >= 400) answers.push(response.clone());
      return response;
    },
  });
  return { client: new Client(info), transport, provider, answers };
}

describe('a machine client (client credentials) against HTTP mode', () => {
  it('lists and calls tools when it asks for the scopes', async () => {
    const { client, transport, provider } = machine(MCP_SCOPES);
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('oauth_list_sessions');
      const result = toToolResult(await client.callTool({ name: 'oauth_list_sessions', arguments: {} }));
      expect(result.isError).toBeFalsy();
      expect((await provider.tokens())?.scope?.split(' ')).toEqual(
        expect.arrayContaining(['mcp:tools:read', 'mcp:tools:execute']),
      );
    } finally {
      await client.close();
    }
  });

  it('without a scope gets a token with none, and the refusal names the scopes to ask for', async () => {
    const { client, transport, provider, answers } = machine();
    // The SDK's own error says only "403 after trying upscoping"; the reason is in our answer.
    await expect(client.connect(transport)).rejects.toThrow(/403/);
    await client.close().catch(() => {});
    expect((await provider.tokens())?.scope ?? '').toBe('');
    const refusal = answers.find((answer) => answer.status === 403);
    if (!refusal) throw new Error(`no 403 among ${answers.map((answer) => answer.status).join(', ')}`);
    const challenge = refusal.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="${MCP_SCOPES}"`);
    const body = (await refusal.json()) as { error: string; error_description: string };
    expect(body.error).toBe('insufficient_scope');
    expect(body.error_description).toBe(
      `The access token carries no scope. Ask the authorization server for the scopes ${MCP_SCOPES} (a client credentials request needs them in its scope parameter).`,
    );
  });
});
