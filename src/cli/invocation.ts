// How this copy of oauth-mcp is started, so the commands we print work as typed: `oauth-mcp` when installed,
// `npx -y oauth-mcp-server` from npx's cache, `node dist/cli.js` from a clone or an unpacked tarball.

import { relative, sep } from 'node:path';

/** The words that start this program, for one of its commands; `demoServer` adds the optional oidc-provider. */
export function invocation(
  script = process.argv[1] ?? 'oauth-mcp',
  options: { demoServer?: boolean; cwd?: string } = {},
): string {
  const parts = script.split(/[\\/]/);
  if (parts.includes('_npx')) {
    return options.demoServer
      ? 'npx -y -p oauth-mcp-server -p oidc-provider oauth-mcp'
      : 'npx -y oauth-mcp-server';
  }
  const modules = parts.indexOf('node_modules');
  if (modules > 0) {
    // A global install (<prefix>/lib/node_modules) is on the PATH; a project's own is reached through npx.
    return parts[modules - 1] === 'lib' ? 'oauth-mcp' : 'npx oauth-mcp';
  }
  if (parts.at(-1) === 'oauth-mcp') return 'oauth-mcp';
  const fromHere = relative(options.cwd ?? process.cwd(), script);
  const path = fromHere.startsWith('..') || fromHere === '' ? script : fromHere;
  return `node ${path.includes(' ') ? `"${path}"` : path.split(sep).join('/')}`;
}
