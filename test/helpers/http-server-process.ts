// Spawns the built dist/cli.js with --transport http and a temp config, and connects real SDK clients to it:
// the v2 client on the 2026-era protocol or on the 2025-era one, and the v1 client (2025-era, as most hosts).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEMO_CLIENTS } from '../../src/demo/authorization-server.js';
import { type ToolResult, toToolResult } from './tool-result.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

/** The scopes of an MCP client's access token in the HTTP tests: what http.auth requires by default. */
export const MCP_SCOPES = 'mcp:tools:read mcp:tools:execute';

/** The test authorization server's `resourceServers` entry: JWT access tokens for /mcp at `audience`. */
export function mcpResourceServer(audience: string) {
  return { [audience]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' as const } };
}

/** A provider entry for the demo authorization server's confidential client. */
export function demoProvider(issuer: string, more: Record<string, unknown> = {}) {
  return {
    issuer,
    clientId: DEMO_CLIENTS.confidential.clientId,
    clientSecret: DEMO_CLIENTS.confidential.clientSecret,
    ...more,
  };
}

export interface HttpServerProcess {
  /** Where the process listens, e.g. http://127.0.0.1:41234 (MCP at `${origin}/mcp`). */
  origin: string;
  mcpUrl: string;
  stderr(): string;
  exitCode(): number | null;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface HttpStartOptions {
  config: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  /** Default: a free port. */
  port?: number;
  /** Let the server open a browser (no --no-browser, no CI=true): for tests that check it does not. */
  browserAllowed?: boolean;
}

export async function startHttpProcess(options: HttpStartOptions): Promise<HttpServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-http-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(options.config, null, 2));
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      CLI,
      '--transport',
      'http',
      '--port',
      String(port),
      '--config',
      join(dir, 'config.json'),
      ...(options.browserAllowed ? [] : ['--no-browser']),
    ].concat(options.args ?? []),
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'data'),
        ...(options.browserAllowed ? {} : { CI: 'true' }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await waitFor(
    child,
    () => stderr.includes('serving MCP over streamable HTTP'),
    () => stderr,
  );
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    mcpUrl: `${origin}/mcp`,
    stderr: () => stderr,
    exitCode: () => child.exitCode,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Runs the CLI to completion (for start-up refusals) and returns its exit code and stderr. A server that
 * starts instead of refusing is killed after `timeoutMs` (its code is then null).
 */
export async function runHttpCli(
  config: Record<string, unknown>,
  args: string[],
  timeoutMs = 10_000,
): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-http-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [CLI, '--transport', 'http', '--config', join(dir, 'config.json'), ...args],
    { env: { PATH: process.env.PATH ?? '', HOME: dir, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
  return { code, stderr };
}

export type ClientKind = 'v2-modern' | 'v2-legacy' | 'v1';

export interface ConnectedClient {
  callTool(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  listTools(): Promise<{ tools: { name: string }[] }>;
  close(): Promise<void>;
}

export type { ToolResult } from './tool-result.js';

export async function connectClient(
  mcpUrl: string,
  token: string | undefined,
  kind: ClientKind,
): Promise<ConnectedClient> {
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  const info = { name: 'oauth-mcp-http-tests', version: '1.0.0' };
  if (kind === 'v1') {
    const client = new ClientV1(info);
    await client.connect(new HttpV1(new URL(mcpUrl), requestInit ? { requestInit } : undefined));
    return {
      callTool: async (name, args = {}) => toToolResult(await client.callTool({ name, arguments: args })),
      listTools: () => client.listTools(),
      close: () => client.close(),
    };
  }
  const client = new ClientV2(
    info,
    kind === 'v2-modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : undefined,
  );
  await client.connect(new HttpV2(new URL(mcpUrl), requestInit ? { requestInit } : undefined));
  return {
    callTool: async (name, args = {}) => toToolResult(await client.callTool({ name, arguments: args })),
    listTools: () => client.listTools(),
    close: () => client.close(),
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : reject()));
    });
  });
}

async function waitFor(child: ChildProcess, ready: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`oauth-mcp exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`oauth-mcp did not start within 15 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
