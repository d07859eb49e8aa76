// What tools/list advertises is trimmed for the model's context (src/tools/advertised-schema.ts), yet
// says everything the zod schemas say about arguments, and every output schema still admits the error
// shape: SDK v1 clients validate structuredContent against it even for errors. The advertised output
// schema validates nothing itself, so a result that breaks the tool's own schema is refused by the registry.

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contextBudget } from '../../scripts/context-budget.mjs';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createRuntime } from '../../src/runtime.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { registerTools } from '../../src/tools/registry.js';
import { defineTool } from '../../src/tools/tool.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';
import { startServerProcess } from '../helpers/mcp-server-process.js';

type Schema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };

let server: InProcessServer;
let listed: Map<string, { inputSchema: Schema; outputSchema?: Schema }>;
beforeAll(async () => {
  server = await startInProcess({});
  const { tools } = await server.client.listTools();
  listed = new Map(tools.map((tool) => [tool.name, tool as never]));
});
afterAll(() => server.close());

describe('advertised tool schemas', () => {
  it('keep every argument with its type, values, pattern, description and whether it is required', () => {
    for (const tool of ALL_TOOLS) {
      const full = z.toJSONSchema(tool.input, { io: 'input' }) as Schema;
      const advertised = listed.get(tool.name)?.inputSchema as Schema;
      expect(advertised.required, tool.name).toEqual(full.required);
      expect(Object.keys(advertised.properties ?? {}), tool.name).toEqual(Object.keys(full.properties ?? {}));
      for (const [name, field] of Object.entries(full.properties ?? {})) {
        const shown = advertised.properties?.[name] as Record<string, unknown>;
        for (const keyword of ['type', 'enum', 'pattern', 'format', 'description', 'minimum', 'maximum'])
          expect(shown[keyword], `${tool.name}.${name}.${keyword}`).toEqual(field[keyword]);
        expect(shown.maxLength, `${tool.name}.${name}: caps are enforced, not advertised`).toBeUndefined();
      }
    }
  });

  it('still enforce the caps they no longer advertise, naming the limit', async () => {
    const result = await server.call('oauth_list_sessions', { provider: 'p'.repeat(129) });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('provider is too long (at most 128 characters)');
  });

  it('carry no $schema (MCP defaults to 2020-12), output schemas no prose, and one short error shape', () => {
    for (const [name, tool] of listed) {
      expect(JSON.stringify(tool.outputSchema), name).not.toMatch(/"description":"/);
      expect(tool.inputSchema.$schema, name).toBeUndefined();
      expect(tool.outputSchema?.$schema, name).toBeUndefined();
      expect(tool.outputSchema?.properties?.error, name).toEqual({
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' } },
        required: ['code', 'message'],
      });
    }
  });

  it('are computed at build time (dist/tools/advertised-schemas.json) to what a fresh conversion gives', async () => {
    const { computeAdvertisedSchemas } = await import('../../scripts/tool-schemas.mjs');
    const built = JSON.parse(
      readFileSync(new URL('../../dist/tools/advertised-schemas.json', import.meta.url), 'utf8'),
    );
    expect(built, 'run npm run build').toEqual(await computeAdvertisedSchemas());
    for (const [name, tool] of listed) {
      expect(built[name]?.input, name).toEqual(tool.inputSchema);
      expect(built[name]?.output, name).toEqual(tool.outputSchema);
    }
  });

  it('go with results whose text is their structured content as compact JSON (what most hosts show the model)', async () => {
    const result = await server.call('oauth_list_sessions', {});
    expect(result.isError).toBeFalsy();
    const [text] = result.content as { type: string; text: string }[];
    expect(text?.text).toBe(JSON.stringify(result.structuredContent));
  });

  it('fit the context budget: what reaches the model 12 KB and tools/list 32 KB per 16 tools', async () => {
    const { tools } = await server.client.listTools();
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const budget = contextBudget(tools.length);
    const visible = tools.reduce(
      (sum, t) => sum + bytes({ name: t.name, description: t.description, inputSchema: t.inputSchema }),
      0,
    );
    expect(visible, 'model-visible bytes (bench: npm run bench, context rows)').toBeLessThanOrEqual(
      budget.modelVisible,
    );
    expect(bytes({ tools }), 'tools/list bytes').toBeLessThanOrEqual(budget.toolsList);
  });

  it('admit every tool error under an SDK v1 client, which validates results against them', async () => {
    const v1 = await startServerProcess({
      era: 'v1',
      config: {
        providers: { work: { issuer: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's'.repeat(20) } },
      },
    });
    try {
      const { tools } = await v1.client.listTools();
      expect(tools.length).toBe(ALL_TOOLS.length);
      // the binary serves the schemas computed at build time: the same as converting them here
      for (const tool of tools) {
        expect(tool.inputSchema, tool.name).toEqual(listed.get(tool.name)?.inputSchema);
        expect(tool.outputSchema, tool.name).toEqual(listed.get(tool.name)?.outputSchema);
      }
      for (const tool of tools) {
        const args =
          tool.name === 'oauth_call_api'
            ? { provider: 'nope', url: 'https://api.example.com/' }
            : { provider: 'nope' };
        // a structuredContent the v1 client found invalid would reject here instead of returning
        const result = await v1.call(tool.name, args);
        expect(result.isError, tool.name).toBe(true);
        expect(result.structuredContent?.error.code, tool.name).toMatch(/^(invalid_input|not_configured)$/);
      }
    } finally {
      await v1.close();
    }
  });

  it("still refuse a result that breaks the tool's own schema (the advertised one validates nothing itself)", async () => {
    const runtime = await createRuntime(
      parseConfig({ store: { type: 'memory' } }, {}),
      createLogger({ write: () => {} }),
    );
    const leaky = defineTool({
      name: 'oauth_leaky',
      toolset: 'diagnostics',
      title: 'Leaky',
      description: 'A tool whose handler returns a wrong type and a field its output schema does not have.',
      input: () => z.object({}),
      output: () => z.object({ verdict: z.string() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async () => ({ verdict: 42, access_token: 'secret-token-value' }) as never,
    });
    const mcp = new McpServer({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    registerTools(mcp, [leaky], { engine: runtime.engine, logger: createLogger({ write: () => {} }) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.connect(serverSide);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(clientSide);
    try {
      const result = await client.callTool({ name: 'oauth_leaky', arguments: {} });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({ error: { code: 'internal' } });
      expect(JSON.stringify(result)).toContain('produced output that does not match its schema');
      expect(JSON.stringify(result)).not.toContain('secret-token-value');
    } finally {
      await client.close();
      await mcp.close();
      await runtime.close();
    }
  });
});
