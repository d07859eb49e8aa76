// Sign-in test harness: the built server over stdio (test/helpers/mcp-server-process.ts) configured with
// one provider "work" on the test authorization server, debug logging on (so tests can prove that no
// code or token is ever logged).

import type { RunningAuthorizationServer } from '../../src/demo/authorization-server.js';
import {
  type ElicitedUrl,
  type ServerProcess,
  type StartOptions,
  startServerProcess,
  type ToolResult,
} from '../helpers/mcp-server-process.js';

export type { ElicitedUrl };
export type SignInClient = ServerProcess;

export interface SignInClientOptions {
  era?: StartOptions['era'];
  onElicitUrl?: StartOptions['onElicitUrl'];
  /** Provider settings besides issuer/client (scopes, usePar, redirectUri, ...). */
  provider?: Record<string, unknown>;
  client?: 'confidential' | 'public';
  store?: 'file' | 'memory';
}

export function startSignInClient(
  as: RunningAuthorizationServer,
  options: SignInClientOptions = {},
): Promise<SignInClient> {
  const registered = options.client === 'public' ? as.clients.public : as.clients.confidential;
  return startServerProcess({
    ...(options.era ? { era: options.era } : {}),
    ...(options.onElicitUrl ? { onElicitUrl: options.onElicitUrl } : {}),
    env: { OAUTH_MCP_LOG_LEVEL: 'debug' },
    config: {
      providers: {
        work: {
          issuer: as.issuer,
          ...registered,
          scopes: ['openid', 'profile', 'email', 'offline_access'],
          ...options.provider,
        },
      },
      defaultProvider: 'work',
      ...(options.store === 'memory' ? { store: { type: 'memory' } } : {}),
    },
  });
}

/** The structured output of a successful call; fails the test with the error text otherwise. */
export function data(result: ToolResult): Record<string, any> {
  if (result.isError) throw new Error(`tool failed: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent;
}
