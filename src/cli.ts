#!/usr/bin/env node
// The oauth-mcp command: flags + config -> a stdio or HTTP server. Nothing else lives here.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { invocation, invocationArgv } from './cli/invocation.js';
import { type Config, configLocation, loadConfig } from './config/index.js';
import { OAuthToolError } from './errors.js';
import type { HttpListener } from './http/listener.js';
import { createLogger, type Logger, redact } from './log.js';
import { importOptional } from './optional-package.js';
import { createRuntime } from './runtime.js';
import { createServer } from './server.js';
import { ALL_TOOLS } from './tools/index.js';
import { selectTools } from './tools/registry.js';
import { VERSION } from './version.js';

/** The people's commands load only when asked for (a command, or --help): the server never needs them. */
const loadCommands = () => import('./cli/index.js');

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first !== undefined && !first.startsWith('-')) {
    // A word first is a command (an unknown one gets a "did you mean" from the commands).
    process.exitCode = await (await loadCommands()).runCommand(first, rest);
    // A store backend or a keychain helper must not keep a finished command alive.
    setTimeout(() => process.exit(), 1000).unref();
    return;
  }
  const flags = await parseFlags(argv);
  if (flags.help) return void process.stdout.write(`${(await loadCommands()).helpText()}\n`);
  if (flags.version) return void process.stdout.write(`${VERSION}\n`);
  await serve(flags);
}

type Flags = Awaited<ReturnType<typeof parseFlags>>;

const SERVER_OPTIONS = {
  config: { type: 'string' },
  demo: { type: 'boolean' },
  transport: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'public-url': { type: 'string' },
  toolsets: { type: 'string' },
  'read-only': { type: 'boolean' },
  tools: { type: 'string' },
  'no-browser': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-file': { type: 'string' },
  'log-format': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

async function parseFlags(argv: string[]) {
  let values: ReturnType<
    typeof parseArgs<{ args: string[]; strict: true; options: typeof SERVER_OPTIONS }>
  >['values'];
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: SERVER_OPTIONS }));
  } catch (error) {
    throw (await loadCommands()).flagError(error, undefined, Object.keys(SERVER_OPTIONS), argv);
  }
  return values;
}

async function serve(flags: Flags): Promise<void> {
  // The config file with the environment and the flags over it: every setting, the log's included.
  const warnings: string[] = [];
  const settings = loadConfig({ path: flags.config, flags, onWarning: (message) => warnings.push(message) });
  const logger = createLogger({
    level: settings.log.level ?? 'info',
    format: settings.log.format,
    file: settings.log.file,
  });
  for (const warning of warnings) logger.warn(warning);
  const selection = { toolsets: settings.toolsets, readOnly: settings.readOnly, tools: settings.tools };
  // Fail at start-up on an unknown toolset or tool pattern rather than on the first connection (and before the demo starts).
  selectTools(ALL_TOOLS, selection);
  const cleanups: (() => Promise<void>)[] = [];
  const config = flags.demo ? await withDemo(settings, logger, cleanups) : settings;
  const listener = config.transport === 'http' ? await listen(config) : undefined;
  // stdio loads its transport first: it answers `initialize` and tools/list while the engine and store
  // load, and the first tool call waits for them. A store that cannot be opened ends the process either way.
  const transport = listener
    ? ({ kind: 'http', listener } as const)
    : ({ kind: 'stdio', ...(await import('@modelcontextprotocol/server/stdio')) } as const);
  const pending = createRuntime(config, logger, listener ? { http: { publicUrl: listener.base } } : {});
  pending.catch(exitWithError);
  cleanups.unshift(async () => (await pending).close());
  logger.info(startupLine(config, flags));

  const shutdown = onceOnly(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    process.exit(0);
  });
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (transport.kind === 'http') {
    const { startHttpServer } = await import('./http/app.js');
    const http = await startHttpServer({ runtime: await pending, listener: transport.listener, selection });
    cleanups.unshift(() => http.close());
    return;
  }
  const engine = pending.then((runtime) => runtime.engine);
  transport.serveStdio(() => createServer({ engine, logger, selection }), {
    onerror: (error) => logger.warn(`stdio transport: ${error.message}`),
  });
  process.stdin.on('end', shutdown);
  if (flags.demo) printStdioDemoHelp(logger);
}

/** --demo: the embedded demo authorization server started, and its providers added to the config. */
async function withDemo(config: Config, logger: Logger, cleanups: (() => Promise<void>)[]): Promise<Config> {
  const { startDemo } = await importOptional(() => import('./demo/demo.js'), 'oidc-provider', '--demo');
  const demo = await startDemo(logger);
  cleanups.push(() => demo.server.close());
  return withDemoProviders(config, demo.providers, demo.allowedOrigins);
}

async function listen(config: Config): Promise<HttpListener> {
  const { listenHttp } = await import('./http/listener.js');
  return listenHttp({
    host: config.http.host,
    port: config.http.port,
    publicUrl: config.http.publicUrl,
    authConfigured: config.http.auth !== undefined,
  });
}

/**
 * The demo's sessions and registered clients point at a server that dies with this process: they stay in
 * memory, out of the user's keychain or token file, unless the config names a store type of its own.
 */
function withDemoProviders(config: Config, providers: Config['providers'], allowedOrigins: string[]): Config {
  return {
    ...config,
    store: config.store.type === 'auto' ? { ...config.store, type: 'memory' } : config.store,
    providers: { ...config.providers, ...providers },
    defaultProvider: config.defaultProvider ?? 'demo',
    api: { ...config.api, allowedOrigins: [...config.api.allowedOrigins, ...allowedOrigins] },
  };
}

function printStdioDemoHelp(logger: Logger): void {
  // The command as this copy was started (a clone, npx, an install), so the line works when pasted.
  const self = invocation(undefined, { demoServer: true });
  const [command, ...args] = [...invocationArgv(undefined, { demoServer: true, absolute: true }), '--demo'];
  const lines = [
    'serving MCP on stdio: an MCP host (Claude Desktop, Cursor, the MCP Inspector) starts and talks to this process.',
    `try it: npx @modelcontextprotocol/inspector ${self} --demo`,
    `or add to your host's config: ${JSON.stringify({ mcpServers: { 'oauth-demo': { command, args } } })}`,
  ];
  if (process.stdin.isTTY) lines.push('(this terminal is not an MCP client; press Ctrl+C to stop)');
  logger.info(lines.join('\n  '));
}

/** One line in every mode: what a person reading a host's server log needs first. */
function startupLine(
  config: Config,
  values: { config?: string | undefined; demo?: boolean | undefined },
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
  const mode = config.transport === 'http' ? `http on ${config.http.host}:${config.http.port}` : 'stdio';
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

main(process.argv.slice(2)).catch(exitWithError);

function exitWithError(error: unknown): never {
  const { code, message: text } = error as { code?: string; message?: string };
  // Each message ends with its one next step; only a bug gets the general pointer.
  const message =
    error instanceof OAuthToolError
      ? (text ?? String(error))
      : code === 'EADDRINUSE' || code === 'EACCES'
        ? `cannot listen: ${text} (${code === 'EADDRINUSE' ? 'another program uses that port: choose another with --port' : 'not allowed to use that port'}).`
        : `unexpected error: ${(error as Error).stack ?? String(error)}\nPlease report it with this output (oauth-mcp doctor --json adds the set-up).`;
  process.stderr.write(`oauth-mcp: ${redact(message)}\n`);
  process.exit(2);
}
