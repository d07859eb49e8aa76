// The commands we print start this copy of oauth-mcp the way it was installed.

import { describe, expect, it } from 'vitest';
import { invocation, invocationArgv } from '../../src/cli/invocation.js';

describe('invocation', () => {
  it('from npx: the package through npx, with oidc-provider for the demo server', () => {
    const script = '/home/ann/.npm/_npx/4f2a/node_modules/.bin/oauth-mcp';
    expect(invocation(script)).toBe('npx -y oauth-mcp-server');
    expect(invocation(script, { demoServer: true })).toBe(
      'npx -y -p oauth-mcp-server -p oidc-provider oauth-mcp',
    );
  });

  it('installed globally: oauth-mcp; in a project: npx oauth-mcp', () => {
    expect(invocation('/usr/local/bin/oauth-mcp')).toBe('oauth-mcp');
    expect(invocation('/usr/lib/node_modules/oauth-mcp-server/dist/cli.js')).toBe('oauth-mcp');
    expect(invocation('/work/app/node_modules/.bin/oauth-mcp')).toBe('npx oauth-mcp');
  });

  it('from a clone: node and the path, relative to here for a shell, absolute for a host config', () => {
    expect(invocation('/src/oauth-mcp/dist/cli.js', { cwd: '/src/oauth-mcp' })).toBe('node dist/cli.js');
    expect(invocation('/src/oauth-mcp/dist/cli.js', { cwd: '/tmp' })).toBe('node /src/oauth-mcp/dist/cli.js');
    expect(invocationArgv('/src/oauth-mcp/dist/cli.js', { cwd: '/src/oauth-mcp', absolute: true })).toEqual([
      'node',
      '/src/oauth-mcp/dist/cli.js',
    ]);
  });

  it('quotes a path with spaces for the shell, and keeps it one argument for a host', () => {
    const script = '/Users/Ann Lee/oauth mcp/dist/cli.js';
    expect(invocation(script, { cwd: '/' + 'elsewhere' })).toBe(
      "node '/Users/Ann Lee/oauth mcp/dist/cli.js'",
    );
    expect(invocationArgv(script, { absolute: true })).toEqual(['node', script]);
  });
});
