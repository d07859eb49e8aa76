// The README's demo walk-through, line by line, as a person runs it: `oauth-mcp demo` in one process, then
// each `--demo` command in a real pseudo-terminal (util-linux `script`), with the built binary.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-server-process.js';
import { approveDevice } from '../helpers/user-agent.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const BLOCK = /<!-- commands: the demo, [^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(README)?.[1] ?? '';
/** The README's command lines, without their comments: `oauth-mcp demo`, then the --demo commands. */
const LINES = BLOCK.split('\n').map((line) => line.replace(/#.*$/, '').trim());

let dir = '';
let port = 0;
let demo: ChildProcess | undefined;
let banner = '';

const env = () => ({
  PATH: process.env.PATH ?? '',
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  OAUTH_MCP_DEMO_PORT: String(port),
  CI: 'true',
  TERM: 'dumb',
});
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** A README line as this clone runs it: `oauth-mcp` is `node dist/cli.js`. */
const argsOf = (line: string) => line.split(/\s+/).slice(1);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Runs `oauth-mcp ...args` in a pseudo-terminal; `onOutput` sees the terminal output as it grows. */
function inTerminal(
  args: string[],
  onOutput: (output: string) => void = () => undefined,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: env(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    onOutput(output);
  });
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-demo-'));
  port = await freePort();
  expect(LINES[0]).toBe('oauth-mcp demo');
  demo = spawn(process.execPath, [CLI, ...argsOf(LINES[0] ?? '')], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ready, fail) => {
    demo?.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk.toString('utf8');
      if (banner.includes('In another terminal')) ready();
    });
    demo?.once('exit', (code) => fail(new Error(`oauth-mcp demo exited (${code}): ${banner}`)));
  });
}, 30_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((done) => demo?.once('exit', done));
    demo.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the README demo walk-through', () => {
  it('the demo server says where it runs, which user and password to use, and the next commands', () => {
    expect(banner).toContain(`running at http://127.0.0.1:${port}`);
    expect(banner).toContain('any user name and any password');
    expect(banner).toMatch(/node \S*cli\.js login --demo/);
  });

  it('runs every line of the README block in order, in a terminal', async () => {
    const steps = LINES.slice(1);
    expect(steps).toEqual([
      'oauth-mcp login --demo',
      'oauth-mcp status --demo',
      'oauth-mcp token --demo',
      'oauth-mcp token --demo --json',
      'oauth-mcp logout --demo',
    ]);
    const outputs: string[] = [];
    let printedToken = '';
    for (const line of steps) {
      let approving: Promise<unknown> | undefined;
      const { code, output } = await inTerminal(argsOf(line), (sofar) => {
        // No browser can open here (CI): login shows the device flow's link and code.
        const link = /(http:\/\/127\.0\.0\.1:\d+\/device\?user_code=[A-Z-]+)/.exec(sofar)?.[1];
        if (link && !approving) approving = approveDevice(link, { login: 'alice' });
      });
      await approving;
      expect(code, `${line}\n${output}`).toBe(0);
      outputs.push(output);
      if (line === 'oauth-mcp token --demo') printedToken = output.trim();
    }
    const [login, status, , json, logout] = outputs;
    expect(login).toContain('Signed in as alice at demo');
    expect(status).toMatch(/alice\s.*in (59|60) minutes/);
    expect(printedToken).toMatch(/^[\w-]{20,}$/);
    expect(JSON.parse(json ?? '')).toMatchObject({ access_token: printedToken, provider: 'demo' });
    expect(logout).toContain('tokens revoked at the server');
  }, 90_000);

  it('a --demo command without the demo server running says how to start it', async () => {
    const saved = port;
    port = await freePort();
    try {
      const { code, output } = await inTerminal(['status', '--demo']);
      expect(code).toBe(2);
      expect(output).toContain(`No demo authorization server answers at http://127.0.0.1:${port}`);
      expect(output).toMatch(/Start it in another terminal with: node \S*cli\.js demo/);
    } finally {
      port = saved;
    }
  });
});
