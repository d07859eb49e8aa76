// oauth-mcp demo: the embedded demo authorization server on a fixed loopback port, and the config every
// `--demo` command uses to reach it, so a person can try login, status, token and logout in a minute.

import { join } from 'node:path';
import { type Config, dataDir, parseConfig } from '../config/index.js';
import type { ConfigFlags } from '../config/settings.js';
import { DEMO_CLIENTS } from '../demo/demo-clients.js';
import { demoProviders } from '../demo/demo-providers.js';
import { OAuthToolError } from '../errors.js';
import { importOptional } from '../optional-package.js';
import { EXIT, type StandaloneCommand } from './command.js';
import { invocation } from './invocation.js';

const DEFAULT_DEMO_PORT = 9339;
const PORT_VARIABLE = 'OAUTH_MCP_DEMO_PORT';
/**
 * The demo's sessions hold tokens of a throwaway server on this machine's loopback, worthless elsewhere. A
 * fixed key keeps them out of the person's real store without the file store's "not encrypted" advice,
 * which is meant for real tokens.
 */
const DEMO_STORE_KEY = 'tokens-of-the-throwaway-loopback-demo';

export function demoIssuer(env: NodeJS.ProcessEnv = process.env): string {
  const text = env[PORT_VARIABLE];
  const port = text ? Number(text) : DEFAULT_DEMO_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new OAuthToolError(
      'invalid_input',
      `${PORT_VARIABLE} must be a port number (1-65535), not "${text}".`,
    );
  }
  return `http://127.0.0.1:${port}`;
}

/** What `--demo` runs a command on instead of the person's config: the demo providers and a store of its own. */
export function demoConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const issuer = demoIssuer(env);
  return parseConfig(
    {
      providers: demoProviders(issuer),
      defaultProvider: 'demo',
      store: { type: 'file', path: join(dataDir(env), 'demo-sessions.json'), key: DEMO_STORE_KEY },
      api: { allowedOrigins: [issuer] },
    },
    env,
    { flags, source: '--demo' },
  );
}

/** Fails fast, with the command that starts it, when no demo authorization server answers at the demo issuer. */
export async function assertDemoRunning(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const issuer = demoIssuer(env);
  const metadata = await fetch(`${issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(3000),
  })
    .then((response) => (response.ok ? (response.json() as Promise<{ issuer?: unknown }>) : undefined))
    .catch(() => undefined);
  if (metadata?.issuer === issuer) return;
  const start = `${invocation(undefined, { demoServer: true })} demo`;
  throw new OAuthToolError(
    'not_configured',
    metadata === undefined
      ? `No demo authorization server answers at ${issuer}. Start it in another terminal with: ${start}`
      : `Something other than the oauth-mcp demo answers at ${issuer}. Stop it, or choose another port for the demo and every --demo command with ${PORT_VARIABLE}=<port>.`,
  );
}

export const demoCommand: StandaloneCommand = {
  standalone: true,
  usage: 'demo',
  summary: 'run a demo authorization server here, for trying the commands with --demo',
  examples: [
    ['oauth-mcp demo', 'start it (Ctrl+C stops it); then, in another terminal:'],
    ['oauth-mcp login --demo', 'sign in to it'],
  ],
  maxPositionals: 0,
  run: async ({ term }) => {
    const issuer = demoIssuer();
    const { startAuthorizationServer } = await importOptional(
      () => import('../demo/authorization-server.js'),
      'oidc-provider',
      'oauth-mcp demo',
    );
    const server = await startAuthorizationServer({ port: Number(new URL(issuer).port) }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new OAuthToolError(
          'not_configured',
          `Port ${new URL(issuer).port} is in use (a demo already running?). Use another: ${PORT_VARIABLE}=<port> for this and every --demo command.`,
        );
      },
    );
    const run = invocation();
    term.out(
      [
        `Demo authorization server running at ${issuer} (loopback only; Ctrl+C stops it).`,
        'Sign in with any user name and any password, for example alice / alice.',
        '',
        'In another terminal:',
        `  ${run} login --demo      sign in (your browser, or a link and a code)`,
        `  ${run} status --demo     the session and when it expires`,
        `  ${run} token --demo      print the access token`,
        `  ${run} logout --demo     revoke it and sign out`,
        '',
        `Machine token: ${run} token --demo --client-credentials (client "${DEMO_CLIENTS.confidential.clientId}", secret "${DEMO_CLIENTS.confidential.clientSecret}").`,
        `Demo sessions are kept apart from your own, in ${join(dataDir(), 'demo-sessions.json')}.`,
        "(oidc-provider's WARNING lines are expected: a development set-up, on loopback only.)",
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT.ok;
  },
};
