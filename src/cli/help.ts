// The help texts: `oauth-mcp --help` (the server's options and every command), and `help <command>` /
// `<command> --help` (its options and examples).

import { TOOLSETS } from '../tools/tool.js';
import { VERSION } from '../version.js';
import type { Command, CommandOption, StandaloneCommand } from './command.js';

/** Options every command on the config and store takes. */
export const COMMON_OPTIONS: Record<string, CommandOption> = {
  config: {
    type: 'string',
    value: 'FILE',
    help: 'config file (else $OAUTH_MCP_CONFIG, else the default location)',
  },
  demo: {
    type: 'boolean',
    help: 'use the demo authorization server of `oauth-mcp demo` instead of your config',
  },
  'no-browser': { type: 'boolean', help: 'never open a browser (also: CI=true or OAUTH_MCP_NO_BROWSER=1)' },
  'log-file': {
    type: 'string',
    value: 'FILE',
    help: 'also append the log, with timestamps, to FILE (for bug reports)',
  },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

const flagLine = (name: string, option: CommandOption) =>
  `  ${`${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`.padEnd(24)} ${option.help}`;

export function commandHelp(command: Command | StandaloneCommand): string {
  const common = command.standalone ? { help: COMMON_OPTIONS.help as CommandOption } : COMMON_OPTIONS;
  const options = Object.entries({ ...command.options, ...common });
  return [
    `Usage: oauth-mcp ${command.usage}`,
    '',
    `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`,
    '',
    'Options:',
    ...options.map(([flag, option]) => flagLine(flag, option)),
    '',
    'Examples:',
    ...command.examples.map(([line, what]) =>
      line.length < 44 ? `  ${line.padEnd(44)} ${what}` : `  ${line}\n  ${''.padEnd(44)} ${what}`,
    ),
    '',
    'Every command: oauth-mcp help.',
  ].join('\n');
}

export function overview(commands: Record<string, Command | StandaloneCommand>): string {
  // Names and summaries only: each command's flags are one `help <command>` away.
  const list = Object.entries(commands)
    .map(([name, command]) => `  oauth-mcp ${name.padEnd(10)} ${command.summary}`)
    .join('\n');
  return `oauth-mcp ${VERSION}: an MCP server for OAuth 2.x / OpenID Connect

Usage:
  oauth-mcp [options]                      serve MCP over stdio (default)
  oauth-mcp --transport http [options]     serve MCP over streamable HTTP at /mcp
  oauth-mcp --demo                         also start an embedded demo authorization server
  oauth-mcp <command> [options]            a command for people, below
  oauth-mcp help <command>                 a command's options and examples

Commands for people (the same config and token store as the server; oauth-mcp help <command> for each):
${list}

Try them without an authorization server of your own: oauth-mcp demo, then oauth-mcp login --demo in another terminal.

Options:
  --config FILE        config file (else $OAUTH_MCP_CONFIG, else ~/.config/oauth-mcp/config.json)
  --demo               start a demo authorization server on 127.0.0.1 and add providers "demo" and "demo-public"
  --transport T        stdio (default) or http
  --host HOST          HTTP bind address (default 127.0.0.1)
  --port PORT          HTTP port (default 8080)
  --public-url URL     the URL clients use to reach this server (behind a reverse proxy)
  --toolsets LIST      only these toolsets, comma separated: ${TOOLSETS.join(', ')}
  --read-only          only read-only tools
  --tools LIST         tool name globs to keep, !glob to leave out (oauth_*,!oauth_delete_client; also: OAUTH_MCP_TOOLS)
  --no-browser         never open a browser for sign-ins (also: CI=true or OAUTH_MCP_NO_BROWSER=1)
  --log-level L        debug, info (default), warn or error (also: OAUTH_MCP_LOG_LEVEL)
  --log-file FILE      also append the log to FILE, with timestamps (also: OAUTH_MCP_LOG_FILE)
  --log-format F       text (default) or json, one object per line (also: OAUTH_MCP_LOG_FORMAT)
  --help, --version

Quick config without a file: OAUTH_ISSUER, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_SCOPES, OAUTH_RESOURCE.
Logs go to stderr (and --log-file); OAUTH_MCP_LOG_LEVEL=debug|info|warn|error.`;
}
