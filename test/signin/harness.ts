// Sign-in test harness: spawns the built dist/cli.js over stdio (config pointing at the test authorization
// server, --no-browser, file store) and connects a real MCP client of either protocol era.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RunningAuthorizationServer } from '../../src/demo/authorization-server.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

/** What the elicitation handler of the client saw and answers. */
export interface ElicitedUrl {
  message: string;
  url: string;
}

export interface SignInClientOptions {
  era?: 'v1' | 'v2';
  /** Declare URL-mode elicitation and answer each request with this. */
  onElicitUrl?: (request: ElicitedUrl) => Promise<'accept' | 'decline' | 'cancel'>;
  /** Provider settings besides issuer/client (scopes, usePar, redirectUri, ...). */
  provider?: Record<string, unknown>;
  client?: 'confidential' | 'public';
  store?: 'file' | 'memory';
}

export interface CallOptions {
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
  signal?: AbortSignal;
}

export interface SignInClient {
  call(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
  stderr(): string;
  close(): Promise<void>;
}

export async function startSignInClient(
  as: RunningAuthorizationServer,
  options: SignInClientOptions = {},
): Promise<SignInClient> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-signin-'));
  const registered = options.client === 'public' ? as.clients.public : as.clients.confidential;
  const config = {
    providers: {
      work: {
        issuer: as.issuer,
        ...registered,
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        ...options.provider,
      },
    },
    defaultProvider: 'work',
    store: options.store === 'memory' ? { type: 'memory' } : { type: 'file', path: join(dir, 'tokens.json') },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const params = {
    command: process.execPath,
    args: [CLI, '--config', join(dir, 'config.json'), '--no-browser'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', OAUTH_MCP_LOG_LEVEL: 'debug' },
    stderr: 'pipe' as const,
  };
  const info = { name: 'oauth-mcp-signin-tests', version: '1.0.0' };
  const capabilities = options.onElicitUrl ? { elicitation: { url: {} } } : {};
  let stderr = '';
  const answer = async (params: { mode?: string; message: string; url?: string }) => {
    if (params.mode !== 'url' || !params.url || !options.onElicitUrl) return { action: 'decline' as const };
    return { action: await options.onElicitUrl({ message: params.message, url: params.url }) };
  };

  if ((options.era ?? 'v2') === 'v2') {
    const transport = new StdioV2(params);
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new ClientV2(info, { capabilities });
    if (options.onElicitUrl)
      client.setRequestHandler('elicitation/create', (request) => answer(request.params));
    await client.connect(transport);
    return handle(
      client,
      (params, requestOptions) => client.callTool(params, requestOptions),
      () => stderr,
      dir,
    );
  }
  const transport = new StdioV1(params);
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new ClientV1(info, { capabilities });
  if (options.onElicitUrl) {
    client.setRequestHandler(ElicitRequestSchema, (request) => answer(request.params as never));
  }
  await client.connect(transport);
  // v1's callTool takes a result schema second, the request options third.
  const call: CallTool = (params, requestOptions) => client.callTool(params, undefined, requestOptions);
  return handle(client, call, () => stderr, dir);
}

type CallTool = (
  params: { name: string; arguments: Record<string, unknown> },
  options: Record<string, unknown>,
) => Promise<unknown>;

function handle(
  client: { close(): Promise<void> },
  callTool: CallTool,
  stderr: () => string,
  dir: string,
): SignInClient {
  return {
    stderr,
    call: async (name, args = {}, options = {}) =>
      (await callTool(
        { name, arguments: args },
        {
          timeout: 120_000,
          ...(options.onprogress ? { onprogress: options.onprogress, resetTimeoutOnProgress: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        },
      )) as ToolResult,
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The structured output of a successful call; fails the test with the error text otherwise. */
export function data(result: ToolResult): Record<string, unknown> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent ?? {};
}
