// The package as users get it: `npm pack`, installed into an empty folder, run through its `oauth-mcp` bin
// by the SDK client; the optional peers (oidc-provider, redis) are absent and fail with a plain message.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { startServerProcess } from '../helpers/mcp-server-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const as = useAuthorizationServer();
let dir = '';
let files: string[] = [];
let bin = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-pack-'));
  // `npm test` has just built dist; --ignore-scripts keeps prepack from rebuilding it under other test files.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const [info] = packed;
  if (!info) throw new Error('npm pack reported nothing');
  files = info.files.map((f) => f.path);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "empty-app", "private": true }\n');
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, info.filename)],
    { cwd: app, stdio: 'inherit' },
  );
  bin = join(app, 'node_modules', '.bin', 'oauth-mcp');
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships the built code, LICENSE and server.json, and no source maps pointing at unshipped sources', () => {
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('LICENSE');
    expect(files).toContain('server.json');
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const server = JSON.parse(readFileSync(join(ROOT, 'server.json'), 'utf8'));
    expect(pkg.name).toBe('oauth-mcp-server');
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages[0]).toMatchObject({ identifier: pkg.name, version: pkg.version });
  });

  it('installs without the optional peers and serves MCP through its bin', async () => {
    expect(existsSync(bin)).toBe(true);
    expect(existsSync(join(dir, 'app', 'node_modules', 'oidc-provider'))).toBe(false);
    expect(existsSync(join(dir, 'app', 'node_modules', 'redis'))).toBe(false);
    const { confidential } = as().clients;
    const server = await startServerProcess({
      command: bin,
      config: {
        providers: {
          demo: {
            issuer: as.issuer,
            clientId: confidential.clientId,
            clientSecret: confidential.clientSecret,
          },
        },
        store: { type: 'memory' },
      },
    });
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name)).toContain('oauth_client_credentials');
      const result = await server.call('oauth_client_credentials', {});
      expect(result.isError).toBeFalsy();
      expect(
        result.structuredContent.session?.provider ?? result.structuredContent.data?.session?.provider,
      ).toBe('demo');
    } finally {
      await server.close();
    }
  });

  it('says which optional package to install for --demo and for a redis store', () => {
    const demo = spawnSync(bin, ['--demo'], { encoding: 'utf8', timeout: 20_000, input: '' });
    expect(demo.status).toBe(2);
    expect(demo.stderr).toContain('npm i oidc-provider');
    expect(demo.stderr).not.toContain('    at ');

    const config = join(dir, 'redis.json');
    writeFileSync(
      config,
      JSON.stringify({ store: { type: 'redis', url: 'redis://127.0.0.1:1', key: 'k'.repeat(32) } }),
    );
    const redis = spawnSync(bin, ['--config', config], {
      encoding: 'utf8',
      timeout: 20_000,
      input: '',
    });
    expect(redis.stderr).toContain('npm i redis');
  });

  it('runs from the tarball as the README says: npx -y -p ./oauth-mcp-server-<version>.tgz oauth-mcp', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = /^npx -y -p (\.\/oauth-mcp-server-[\d.]+\.tgz) oauth-mcp --help/m.exec(readme);
    expect(line, 'the README shows the tarball command').not.toBeNull();
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(line?.[1]).toBe(`./oauth-mcp-server-${version}.tgz`);
    const run = spawnSync(
      'npx',
      ['-y', '--prefer-offline', '-p', line?.[1] as string, 'oauth-mcp', '--help'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_loglevel: 'error' },
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage:');
  }, 150_000);
});
