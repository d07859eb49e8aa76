// The README's host set-up blocks are the files in examples/, verbatim, and each is the shape its host reads.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
const read = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8'));

describe('examples/', () => {
  it('every block marked as an example in the README is that file, verbatim', () => {
    const blocks = [...README.matchAll(/<!-- example: (examples\/[\w.-]+) -->\n```json\n([\s\S]*?)\n```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const [, path, body] of blocks) {
      expect(body, path).toBe(readFileSync(join(ROOT, path as string), 'utf8').trimEnd());
    }
  });

  it('every example file is linked or shown in the README', () => {
    for (const name of EXAMPLES) expect(README, name).toContain(`examples/${name}`);
  });

  it('starts the published package (oauth-mcp-server), never the npm placeholder "oauth-mcp"', () => {
    // oauth-mcp's own config files (chatgpt-http-config.json, delegation-http-config.json) start nothing.
    for (const name of [...EXAMPLES.filter((n) => !read(n).providers), '../mcp.json']) {
      const config = read(name);
      for (const server of Object.values<{ command: string; args: string[] }>(
        config.mcpServers ?? config.servers,
      )) {
        const args = server.command === 'cmd' ? server.args.slice(1) : server.args;
        expect(server.command === 'cmd' ? server.args[0] : server.command, name).toMatch(/^(npx|\/c)$/);
        expect(args, name).toContain('oauth-mcp-server');
        // `oauth-mcp` is right only as the command of `npx -p oauth-mcp-server ... oauth-mcp`.
        if (!args.includes('-p')) expect(args, name).not.toContain('oauth-mcp');
      }
    }
  });

  it('VS Code: servers with type stdio and the client secret from an input prompt', () => {
    const vscode = read('vscode-mcp.json');
    expect(vscode.servers.oauth.type).toBe('stdio');
    const [input] = vscode.inputs;
    expect(input).toMatchObject({ type: 'promptString', password: true });
    expect(vscode.servers.oauth.env.OAUTH_CLIENT_SECRET).toBe(`\${input:${input.id}}`);
  });

  it('the ChatGPT HTTP-mode config is a valid oauth-mcp config', () => {
    expect(() =>
      parseConfig(read('chatgpt-http-config.json'), { WORK_CLIENT_SECRET: 'x'.repeat(20) }),
    ).not.toThrow();
  });
});

describe("the README's config examples", () => {
  // Each block is validated by readme-config-examples.test.ts; this one must show a fixed port.
  it('include the fixed-port redirectUri for servers that match redirect URIs exactly', () => {
    const strict = [...README.matchAll(/```json\n([\s\S]*?)\n```/g)]
      .map(([, block]) => block as string)
      .find((block) => block.includes('"strict"'));
    const config = parseConfig(JSON.parse(strict ?? '{}'), {});
    expect(new URL(config.providers.strict?.redirectUri ?? '').port).not.toBe('');
  });
});
