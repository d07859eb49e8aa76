// A `$BROWSER` for MCP clients that open a sign-in page (mcp-remote, the Inspector): a script that hands
// the URL to a loopback endpoint, where the test's user agent plays the user through to the client's own
// callback page. `const browser = useBrowserCommand('user')`, then BROWSER: browser.command().

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { signIn } from './user-agent.js';

export interface BrowserCommand {
  /** The script to name in $BROWSER. */
  command(): string;
  /** Every URL the client asked the browser to open, and how each sign-in ended. */
  opened: { url: URL; done: Promise<{ status: number; body?: string }> }[];
}

export function useBrowserCommand(login: string): BrowserCommand {
  const opened: BrowserCommand['opened'] = [];
  let server: Server | undefined;
  let dir = '';
  let script = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-browser-'));
    server = createServer((req, res) => {
      const url = new URL(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('url') ?? '');
      const done = signIn(url.href, { login, followCallback: true });
      opened.push({ url, done });
      done.catch(() => {});
      res.end('opened');
    });
    await new Promise<void>((ready) => server?.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as AddressInfo;
    script = join(dir, 'browser.mjs');
    writeFileSync(
      script,
      `#!${process.execPath}\nawait fetch('http://127.0.0.1:${port}/open?url=' + encodeURIComponent(process.argv[2]));\n`,
    );
    chmodSync(script, 0o755);
  });
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    rmSync(dir, { recursive: true, force: true });
  });
  return { command: () => script, opened };
}
