#!/usr/bin/env node
// The oauth-mcp command: flags + config -> a stdio or HTTP server. Nothing else lives here.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, configLocation, loadConfig } from './config/index.js';
import { OAuthToolError } from './errors.js';
import type { HttpListener } from './http/listener.js';
import { createLogger, type Logger, redact } from './log.js';
import { importOptional } from './optional-package.js';
import { createRuntime } from './runtime.js';
import { createServer } from './server.js';
import { ALL_TOOLS } from './tools/index.js';
import { selectTools, toolPatterns } from './tools/registry.js';
import { VERSION } from './version.js';

/** The people's commands load only when asked for (a command, or --help): the server never needs them. */
const loadCommands = () => import('./cli/index.js');

const help = (commands: string) => `oauth-mcp ${VERSION}: an MCP server for OAuth 2.x / OpenID Connect

Usage:
  oauth-mcp [options]                      serve MCP over stdio (default)
  oauth-mcp --transport http [options]     serve MCP over streamable HTTP at /mcp
  oauth-mcp --demo                         also start an embedded demo authorization server

Commands for people (the same config and token store as the server; --config FILE, --help):
${commands}

Options:
  --config FILE        config file (else $OAUTH_MCP_CONFIG, else ~/.config/oauth-mcp/config.json)
  --demo               start a demo authorization server on 127.0.0.1 and add providers "demo" and "demo-public"
  --transport T        stdio (default) or http
  --host HOST          HTTP bind address (default 127.0.0.1)
  --port PORT          HTTP port (default 8080)
  --public-url URL     the URL clients use to reach this server (behind a reverse proxy)
  --toolsets LIST      only these toolsets, comma separated (discovery,tokens,signin,registration,api,sessions)
  --read-only          only read-only tools
  --tools LIST         tool name globs to keep, !glob to leave out (oauth_*,!oauth_delete_client; else $OAUTH_MCP_TOOLS)
  --no-browser         never open a browser for sign-ins (also: CI=true or OAUTH_MCP_NO_BROWSER=1)
  --help, --version

Quick config without a file: OAUTH_ISSUER, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_SCOPES, OAUTH_RESOURCE.
Logs go to stderr; OAUTH_MCP_LOG_LEVEL=debug|info|warn|error.`;

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  const commands = first === undefined || first.startsWith('-') ? undefined : await loadCommands();
  if (commands?.isCommand(first)) {
    process.exitCode = await commands.runCommand(first, rest);
    // A store backend or a keychain helper must not keep a finished command alive.
    setTimeout(() => process.exit(), 1000).unref();
    return;
  }
  const flags = parseFlags(argv);
  if (flags.help) return void process.stdout.write(`${help((await loadCommands()).COMMANDS_HELP)}\n`);
  if (flags.version) return void process.stdout.write(`${VERSION}\n`);
  await serve(flags);
}

type Flags = ReturnType<typeof parseFlags>;

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      demo: { type: 'boolean' },
      transport: { type: 'string', default: 'stdio' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'public-url': { type: 'string' },
      toolsets: { type: 'string' },
      'read-only': { type: 'boolean' },
      tools: { type: 'string' },
      'no-browser': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (!values.help && !values.version && values.transport !== 'stdio' && values.transport !== 'http') {
    throw new OAuthToolError(
      'invalid_input',
      `--transport must be "stdio" or "http", not "${values.transport}".`,
    );
  }
  return values;
}

async function serve(flags: Flags): Promise<void> {
  const selection = {
    toolsets: flags.toolsets
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    readOnly: flags['read-only'] ?? false,
    tools: toolPatterns(flags.tools ?? process.env.OAUTH_MCP_TOOLS),
  };
  // Fail at start-up on an unknown toolset or tool pattern rather than on the first connection (and before the demo starts).
  selectTools(ALL_TOOLS, selection);
  const logger = createLogger();
  const cleanups: (() => Promise<void>)[] = [];
  const config = await serverConfig(flags, logger, cleanups);
  const listener = flags.transport === 'http' ? await listen(flags, config) : undefined;
  const runtime = await createRuntime(config, logger, listener ? { http: { publicUrl: listener.base } } : {});
  cleanups.unshift(() => runtime.close());
  logger.info(startupLine(config, flags));

  const shutdown = onceOnly(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    process.exit(0);
  });
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (listener) {
    const { startHttpServer } = await import('./http/app.js');
    const http = await startHttpServer({ runtime, listener, selection });
    cleanups.unshift(() => http.close());
    return;
  }
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  serveStdio(() => createServer({ engine: runtime.engine, logger, selection }), {
    onerror: (error) => logger.warn(`stdio transport: ${error.message}`),
  });
  process.stdin.on('end', shutdown);
  if (flags.demo) printStdioDemoHelp(logger);
}

/** The config file (or quick config) with the command line's overrides and, with --demo, the demo's providers. */
async function serverConfig(
  flags: Flags,
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): Promise<Config> {
  const config = loadConfig({
    path: flags.config,
    flags: { noBrowser: flags['no-browser'] },
    onWarning: (message) => logger.warn(message),
  });
  if (!flags.demo) return config;
  const { startDemo } = await importOptional(() => import('./demo/demo.js'), 'oidc-provider', '--demo');
  const demo = await startDemo(logger);
  cleanups.push(() => demo.server.close());
  return withDemo(config, demo.providers, demo.allowedOrigins);
}

async function listen(flags: Flags, config: Config): Promise<HttpListener> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new OAuthToolError('invalid_input', `--port must be a port number, not "${flags.port}".`);
  }
  const { listenHttp } = await import('./http/listener.js');
  return listenHttp({
    host: flags.host,
    port,
    publicUrl: flags['public-url'],
    authConfigured: config.http.auth !== undefined,
  });
}

/**
 * The demo's sessions and registered clients point at a server that dies with this process: they stay in
 * memory, out of the user's keychain or token file, unless the config names a store type of its own.
 */
function withDemo(config: Config, providers: Config['providers'], allowedOrigins: string[]): Config {
  return {
    ...config,
    store: config.store.type === 'auto' ? { ...config.store, type: 'memory' } : config.store,
    providers: { ...config.providers, ...providers },
    defaultProvider: config.defaultProvider ?? 'demo',
    api: { ...config.api, allowedOrigins: [...config.api.allowedOrigins, ...allowedOrigins] },
  };
}

function printStdioDemoHelp(logger: Logger): void {
  const lines = [
    'serving MCP on stdio: an MCP host (Claude Desktop, Cursor, the MCP Inspector) starts and talks to this process.',
    'try it: npx @modelcontextprotocol/inspector node dist/cli.js --demo',
    'or add to your host\'s config: { "mcpServers": { "oauth-demo": { "command": "npx", "args": ["-y", "-p", "oauth-mcp-server", "-p", "oidc-provider", "oauth-mcp", "--demo"] } } }',
  ];
  if (process.stdin.isTTY) lines.push('(this terminal is not an MCP client; press Ctrl+C to stop)');
  logger.info(lines.join('\n  '));
}

/** One line in every mode: what a person reading a host's server log needs first. */
function startupLine(
  config: Config,
  values: {
    config?: string | undefined;
    demo?: boolean | undefined;
    transport: string;
    host: string;
    port: string;
  },
): string {
  const { path, from } = configLocation({ path: values.config });
  const source = existsSync(path) ? `${path} (${from === 'default' ? 'default location' : from})` : 'none';
  const names = Object.keys(config.providers);
  const providers = names.length
    ? names.map((n) => (n === config.defaultProvider ? `${n} (default)` : n)).join(', ')
    : 'none (add one to the config, or set OAUTH_ISSUER and OAUTH_CLIENT_ID)';
  const store =
    config.store.type === 'auto'
      ? 'auto (the OS keychain if usable, else a file; checked on first use)'
      : config.store.type;
  const mode = values.transport === 'http' ? `http on ${values.host}:${values.port}` : 'stdio';
  return `oauth-mcp ${VERSION} (${mode}${values.demo ? ', demo' : ''}): config ${source}; providers ${providers}; store ${store}`;
}

function onceOnly(fn: () => Promise<void>): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    void fn();
  };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { code, message: text } = error as { code?: string; message?: string };
  const message =
    error instanceof OAuthToolError || code?.startsWith('ERR_PARSE_ARGS')
      ? (text ?? String(error))
      : code === 'EADDRINUSE' || code === 'EACCES'
        ? `cannot listen: ${text} (${code === 'EADDRINUSE' ? 'another program uses that port: choose another with --port' : 'not allowed to use that port'}).`
        : `unexpected error: ${(error as Error).stack ?? String(error)}`;
  process.stderr.write(`oauth-mcp: ${redact(message)}\nRun oauth-mcp --help for usage.\n`);
  process.exit(2);
});
