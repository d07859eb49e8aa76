// How this copy of oauth-mcp is started, so the commands we print work as typed: `oauth-mcp` when installed,
// `npx -y oauth-mcp-server` from npx's cache, `node dist/cli.js` from a clone or an unpacked tarball.

import { relative, sep } from 'node:path';

interface InvocationOptions {
  /** The demo server needs the optional oidc-provider next to the package (npx -p). */
  demoServer?: boolean;
  /** A host's config needs the absolute path: hosts start servers from a directory of their own. */
  absolute?: boolean;
  cwd?: string;
}

/** The words that start this program, as a host's `command` and `args` take them. */
export function invocationArgv(
  script = process.argv[1] ?? 'oauth-mcp',
  options: InvocationOptions = {},
): string[] {
  const parts = script.split(/[\\/]/);
  if (parts.includes('_npx')) {
    return options.demoServer
      ? ['npx', '-y', '-p', 'oauth-mcp-server', '-p', 'oidc-provider', 'oauth-mcp']
      : ['npx', '-y', 'oauth-mcp-server'];
  }
  const modules = parts.indexOf('node_modules');
  if (modules > 0) {
    // A global install (<prefix>/lib/node_modules) is on the PATH; a project's own is reached through npx.
    return parts[modules - 1] === 'lib' ? ['oauth-mcp'] : ['npx', 'oauth-mcp'];
  }
  if (parts.at(-1) === 'oauth-mcp') return ['oauth-mcp'];
  const fromHere = relative(options.cwd ?? process.cwd(), script);
  const path = options.absolute || fromHere.startsWith('..') || fromHere === '' ? script : fromHere;
  return ['node', path.split(sep).join('/')];
}

/** The same as one line to type into a shell. */
export function invocation(script?: string, options: InvocationOptions = {}): string {
  return invocationArgv(script, options)
    .map((word) => (/[\s"'$]/.test(word) ? `'${word.replaceAll("'", "'\\''")}'` : word))
    .join(' ');
}
