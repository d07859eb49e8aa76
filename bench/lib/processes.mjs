// Child processes for the benchmarks: spawn a stdio MCP server and time it to its `initialize`
// answer, connect an SDK client to one, and read a process's resident memory.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'oauth-mcp-bench', version: '1.0.0' },
  },
})}\n`;

/** A temp dir with config.json (`config` may be a function of the dir); `remove()` deletes it. */
export function tempConfig(config) {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-bench-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(typeof config === 'function' ? config(dir) : config));
  return { dir, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Milliseconds from spawn to the `initialize` response line on stdout; the child is then stopped. */
export function timeToInitialize(args, env = {}) {
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error('no initialize response within 20 s')), 20_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\nstderr: ${err.slice(-2000)}`));
    };
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      const message = JSON.parse(out.slice(0, newline));
      child.once('exit', () =>
        message.result ? resolvePromise(elapsed) : fail(new Error(`initialize failed: ${out}`)),
      );
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    });
    child.once('error', fail);
    child.stdin.write(INITIALIZE);
  });
}

/** Spawns a stdio server and connects the SDK v2 client; `pid` is the child's. */
export async function connect(args, env = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: 'true', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const client = new Client({ name: 'oauth-mcp-bench', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    pid: transport.pid,
    stderr: () => stderr,
    /** Calls a tool; an isError result throws, so a benchmark never times a failure. */
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
      return result;
    },
    close: () => client.close(),
  };
}

/** Resident set size of a process in MiB (Linux /proc; undefined elsewhere). */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kib / 1024;
  } catch {
    return undefined;
  }
}

export const HEAP_PROBE = join(ROOT, 'bench/lib/heap-probe.mjs');
/** Env that preloads the heap probe into a server whose arguments are fixed (startHttp). */
export const HEAP_PROBE_ENV = { NODE_OPTIONS: `--expose-gc --import "${HEAP_PROBE}"` };

/** The server's heap in use after a full collection (heap-probe.mjs answers SIGUSR2 on stderr), in MiB. */
export async function heapUsedMiB(server) {
  const from = server.stderr().length;
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 250; i++) {
    const found = /heap-probe (\d+)\n/.exec(server.stderr().slice(from));
    if (found) return Number(found[1]) / 2 ** 20;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the server did not answer the heap probe');
}

/** Heap in use and RSS in MiB after a full collection; V8 keeps old-space pages, so RSS may stay above. */
export async function memoryAfterGc(server) {
  const heap = await heapUsedMiB(server);
  return { heap, rss: rssMiB(server.pid) };
}

/** A free loopback port (for servers whose URL must be known before they start). */
export function freePort() {
  return new Promise((done, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Starts `oauth-mcp --transport http` on `port` with `config` (and `env`); resolves once it serves. */
export async function startHttp(port, config, env = {}) {
  const files = tempConfig(config);
  const child = spawn(
    process.execPath,
    [CLI, '--transport', 'http', '--port', String(port), '--config', files.path, '--no-browser'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: files.dir, CI: 'true', ...env },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 20_000;
  while (!stderr.includes('serving MCP over streamable HTTP')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      files.remove();
      throw new Error(`oauth-mcp --transport http did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid,
    stderr: () => stderr,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      files.remove();
    },
  };
}

/** Starts bench/servers/bare-http.mjs (the bare SDK HTTP baseline) on `port`. */
export async function startBareHttp(port) {
  const child = spawn(process.execPath, [join(ROOT, 'bench/servers/bare-http.mjs')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
  });
  await new Promise((resolve, reject) => {
    child.stderr.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`bare-http exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
