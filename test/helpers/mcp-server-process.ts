// Spawns the built dist/cli.js over stdio with a temp config and connects a real SDK client to it:
// the v2 client (2026-era protocol) or the v1 client (2025-era, as most hosts still run).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export type Era = 'v1' | 'v2';

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  /** `{}` when the server sent none; `any` so tests can reach into it the way the spec describes it. */
  structuredContent: Record<string, any>;
}

export interface ServerProcess {
  client: ClientV2 | ClientV1;
  /** Calls a tool and returns the raw result (isError results included, never thrown). */
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The temp directory holding config.json (and the file store, unless the config says otherwise). */
  dir: string;
  close(): Promise<void>;
}

export interface StartOptions {
  era?: Era;
  /** The config file's content; a file store in the temp dir is used unless `store` is given. */
  config?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a directory (restart tests); default a new temp dir. */
  dir?: string;
}

export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'oauth-mcp-test-'));
  const config = { store: { type: 'file', path: join(dir, 'tokens.json') }, ...options.config };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const params = {
    command: process.execPath,
    args: [CLI, '--config', join(dir, 'config.json'), '--no-browser', ...(options.args ?? [])],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      CI: 'true',
      ...options.env,
    },
    stderr: 'pipe' as const,
  };
  const era = options.era ?? 'v2';
  const transport = era === 'v2' ? new StdioV2(params) : new StdioV1(params);
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client =
    era === 'v2'
      ? new ClientV2({ name: 'oauth-mcp-tests', version: '1.0.0' })
      : new ClientV1({ name: 'oauth-mcp-tests', version: '1.0.0' });
  await (client as ClientV2).connect(transport as StdioV2);
  return {
    client,
    dir,
    stderr: () => stderr,
    call: async (name, args = {}) =>
      (await (client as ClientV2).callTool({ name, arguments: args })) as ToolResult,
    close: async () => {
      await client.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
