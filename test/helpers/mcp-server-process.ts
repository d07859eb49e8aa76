// Spawns the built dist/cli.js over stdio with a temp config and connects a real SDK client to it:
// the v2 client (2026-era protocol) or the v1 client (2025-era, as most hosts still run), optionally
// declaring URL-mode elicitation the way a host that shows sign-in links does.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { type ToolResult, toToolResult } from './tool-result.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export type Era = 'v1' | 'v2';

export type { ToolResult } from './tool-result.js';

/** A URL-mode elicitation request as the client received it. */
export interface ElicitedUrl {
  message: string;
  url: string;
}

export interface CallOptions {
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
  signal?: AbortSignal;
}

export interface ServerProcess {
  client: ClientV2 | ClientV1;
  /** Calls a tool and returns the raw result (isError results included, never thrown). */
  call(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
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
  /** Options for node itself, before the script (e.g. `--expose-gc`). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Reuse a directory (restart tests); default a new temp dir. */
  dir?: string;
  /** Run this executable (e.g. an installed package's bin) instead of `node dist/cli.js`. */
  command?: string;
  /** Declare URL-mode elicitation and answer each request with this. */
  onElicitUrl?: (request: ElicitedUrl) => Promise<'accept' | 'decline' | 'cancel'>;
}

export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'oauth-mcp-test-'));
  const config = { store: { type: 'file', path: join(dir, 'tokens.json') }, ...options.config };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const params = {
    command: options.command ?? process.execPath,
    args: [
      ...(options.command ? [] : [...(options.nodeArgs ?? []), CLI]),
      '--config',
      join(dir, 'config.json'),
      '--no-browser',
      ...(options.args ?? []),
    ],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      CI: 'true',
      ...options.env,
    },
    stderr: 'pipe' as const,
  };
  const info = { name: 'oauth-mcp-tests', version: '1.0.0' };
  const capabilities = options.onElicitUrl ? { elicitation: { url: {} } } : {};
  const answer = async (request: { mode?: string; message: string; url?: string }) => {
    if (request.mode !== 'url' || !request.url || !options.onElicitUrl) return { action: 'decline' as const };
    return { action: await options.onElicitUrl({ message: request.message, url: request.url }) };
  };

  let stderr = '';
  const collect = (transport: StdioV1 | StdioV2) =>
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
  let client: ClientV2 | ClientV1;
  let callTool: (
    params: { name: string; arguments: Record<string, unknown> },
    requestOptions: object,
  ) => Promise<unknown>;
  if ((options.era ?? 'v2') === 'v2') {
    const transport = new StdioV2(params);
    collect(transport);
    const v2 = new ClientV2(info, { capabilities });
    if (options.onElicitUrl) v2.setRequestHandler('elicitation/create', (request) => answer(request.params));
    await v2.connect(transport);
    client = v2;
    callTool = (call, requestOptions) => v2.callTool(call, requestOptions);
  } else {
    const transport = new StdioV1(params);
    collect(transport);
    const v1 = new ClientV1(info, { capabilities });
    if (options.onElicitUrl)
      v1.setRequestHandler(ElicitRequestSchema, (request) => answer(request.params as never));
    await v1.connect(transport);
    client = v1;
    // v1's callTool takes a result schema second, the request options third.
    callTool = (call, requestOptions) => v1.callTool(call, undefined, requestOptions);
  }

  return {
    client,
    dir,
    stderr: () => stderr,
    call: async (name, args = {}, callOptions = {}) => {
      return toToolResult(
        await callTool(
          { name, arguments: args },
          {
            timeout: 120_000,
            ...(callOptions.onprogress
              ? { onprogress: callOptions.onprogress, resetTimeoutOnProgress: true }
              : {}),
            ...(callOptions.signal ? { signal: callOptions.signal } : {}),
          },
        ),
      );
    },
    close: async () => {
      await client.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
