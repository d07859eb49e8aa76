// Issue 23 item 1: redaction never turns a valid result into one the client rejects. A tool whose
// result holds what its caller pasted as a token (so redacted for that caller) in an enum, in an optional
// URL and in a nested hex field, called through a real SDK client that validates structuredContent.

import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEngine } from '../../src/auth/engine.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { learnPastedSecret } from '../../src/secrets/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { registerTools } from '../../src/tools/registry.js';
import { defineTool } from '../../src/tools/tool.js';
import { toToolResult } from '../helpers/tool-result.js';

const echo = defineTool({
  name: 'oauth_echo_pasted',
  toolset: 'diagnostics',
  title: 'Echo what was pasted',
  description: 'Test tool: learns `token` as pasted, then returns the fields given.',
  input: () =>
    z.object({
      token: z.string(),
      kind: z.enum(['client_credentials', 'authorization_code']),
      link: z.string().optional(),
      fingerprint: z.string(),
    }),
  output: () =>
    z.object({
      kind: z.enum(['client_credentials', 'authorization_code']),
      link: z.url().optional(),
      view: z.object({ fingerprint: z.string().regex(/^[0-9a-f]{16}$/) }),
    }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args) => {
    learnPastedSecret(args.token);
    return {
      kind: args.kind,
      ...(args.link ? { link: args.link } : {}),
      view: { fingerprint: args.fingerprint },
    };
  },
});

let client: Client;
let server: McpServer;
beforeAll(async () => {
  const logger = createLogger({ write: () => undefined });
  const engine = createEngine({
    config: parseConfig({ providers: { p: { issuer: 'https://as.example', clientId: 'c' } } }, {}),
    store: new MemoryStore(),
    logger,
  });
  server = new McpServer({ name: 'valid-results', version: '1.0.0' });
  registerTools(server, [echo], { engine, logger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'valid-results-test', version: '1.0.0' });
  await client.connect(clientSide);
  await client.listTools();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

const call = async (args: Record<string, unknown>) =>
  toToolResult(await client.callTool({ name: 'oauth_echo_pasted', arguments: args }));

describe('a result with a pasted value in it', () => {
  it('keeps an enum value: it is the schema’s own, never a secret', async () => {
    const result = await call({
      token: 'client_credentials',
      kind: 'client_credentials',
      fingerprint: '0123456789abcdef',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ kind: 'client_credentials' });
  });

  it('leaves out an optional field the redaction made invalid', async () => {
    const link = 'https://pasted-link.example/x';
    const result = await call({
      token: link,
      kind: 'authorization_code',
      link,
      fingerprint: '0123456789abcdef',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).not.toHaveProperty('link');
    expect(JSON.stringify(result)).not.toContain(link);
  });

  it('fails with an error, not a result the client rejects, when a required field cannot be shown', async () => {
    const fingerprint = 'fedcba9876543210';
    const result = await call({ token: fingerprint, kind: 'authorization_code', fingerprint });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain(fingerprint);
  });
});
