// Starts a real redis-server on 127.0.0.1 (random free port, temp dir, no persistence) and stops it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { needsProgram } from './programs.js';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Needs `redis-server` on PATH (Debian: `apt-get install -y redis-server`). */
export async function startRedisServer(): Promise<RunningRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child);
    } catch (error) {
      child.kill('SIGKILL');
      // Another process may have taken the port between probing and binding: try a new one.
      if (attempt < 3 && /Address already in use/i.test(String(error))) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** `const redis = useRedisServer()` in a describe or file; `redis().url` inside tests. */
export function useRedisServer(): () => RunningRedis {
  let running: RunningRedis | undefined;
  const available = needsProgram('redis-server', 'apt-get install -y redis-server');
  beforeAll(async () => {
    if (available) running = await startRedisServer();
  });
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
  return () => {
    if (!running) throw new Error('redis-server is not running (use it inside tests or hooks)');
    return running;
  };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => settle(new Error(`redis-server did not start within 10 s:\n${output}`)),
      10_000,
    );
    child.once('error', (error) =>
      settle(new Error(`cannot run redis-server (apt-get install -y redis-server): ${error.message}`)),
    );
    child.once('exit', (code) => settle(new Error(`redis-server exited with code ${code}:\n${output}`)));
    const collect = (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) settle();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
