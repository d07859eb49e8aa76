// Two users of one HTTP-mode deployment: a real oidc-provider as the http.auth issuer, the built server
// behind it, and a connected SDK client for each of alice and bob with an access token of their own.

import { afterAll, beforeAll } from 'vitest';
import {
  type AuthorizationServerOptions,
  DEMO_CLIENTS,
  type RunningAuthorizationServer,
} from '../../src/demo/authorization-server.js';
import { type AuthorizationServerHandle, useAuthorizationServer } from './authorization-server.js';
import {
  type ClientKind,
  type ConnectedClient,
  connectClient,
  type HttpServerProcess,
  MCP_SCOPES,
  mcpResourceServer,
  startHttpProcess,
} from './http-server-process.js';

export const PUBLIC_URL = 'https://mcp.example.test';
/** The audience of the users' access tokens: the MCP endpoint at the public URL. */
export const AUDIENCE = `${PUBLIC_URL}/mcp`;

/** An access token for `accountId` as an MCP client gets it: a public client's, with the MCP scopes, for `AUDIENCE`. */
export function mcpAccessToken(as: RunningAuthorizationServer, accountId: string): Promise<string> {
  return as.issueAccessToken({
    accountId,
    clientId: DEMO_CLIENTS.public.clientId,
    scope: MCP_SCOPES,
    resource: AUDIENCE,
  });
}

export interface TwoHttpUsersOptions {
  /** More options of the http.auth issuer (clients, keys, scopes); it always serves `AUDIENCE` with JWTs. */
  authorizationServer?: AuthorizationServerOptions;
  /** The server's config besides `store` (memory) and `http.auth`, given the issuer's URL. */
  config: (issuer: string) => Record<string, unknown>;
  /** Runs once the issuer is up and before the server starts (e.g. to register grants at it). */
  beforeStart?: (as: RunningAuthorizationServer) => void | Promise<void>;
  /** Default: `--public-url PUBLIC_URL`. */
  args?: string[];
  /** The SDK clients; default alice on v2 (2026-era protocol), bob on v1. */
  clients?: { alice: ClientKind; bob: ClientKind };
  /** For the start-up hook; default vitest's. */
  timeoutMs?: number;
}

export interface TwoHttpUsers {
  readonly as: AuthorizationServerHandle;
  readonly server: HttpServerProcess;
  readonly alice: ConnectedClient;
  readonly bob: ConnectedClient;
  readonly aliceToken: string;
  readonly bobToken: string;
  /** A fresh `mcpAccessToken` for `accountId`. */
  tokenFor(accountId: string): Promise<string>;
}

/** Call at the top of a test file (it uses top-level hooks); read the fields inside tests or later hooks. */
export function useTwoHttpUsers(options: TwoHttpUsersOptions): TwoHttpUsers {
  const as = useAuthorizationServer({
    ...options.authorizationServer,
    resourceServers: { ...options.authorizationServer?.resourceServers, ...mcpResourceServer(AUDIENCE) },
  });
  const tokenFor = (accountId: string) => mcpAccessToken(as(), accountId);
  let running: Omit<TwoHttpUsers, 'as' | 'tokenFor'> | undefined;
  let server: HttpServerProcess | undefined;
  const clients: ConnectedClient[] = [];
  beforeAll(async () => {
    await options.beforeStart?.(as());
    server = await startHttpProcess({
      args: options.args ?? ['--public-url', PUBLIC_URL],
      config: {
        ...options.config(as.issuer),
        store: { type: 'memory' },
        http: { auth: { issuer: as.issuer, audience: AUDIENCE } },
      },
    });
    const kinds = options.clients ?? { alice: 'v2-modern', bob: 'v1' };
    const aliceToken = await tokenFor('alice');
    const bobToken = await tokenFor('bob');
    const alice = await connectClient(server.mcpUrl, aliceToken, kinds.alice);
    clients.push(alice);
    const bob = await connectClient(server.mcpUrl, bobToken, kinds.bob);
    clients.push(bob);
    running = { server, alice, bob, aliceToken, bobToken };
  }, options.timeoutMs);
  afterAll(async () => {
    for (const client of clients) await client.close();
    await server?.stop();
  });
  const get = () => {
    if (!running) throw new Error('the two users are not connected (use them inside tests or later hooks)');
    return running;
  };
  return {
    as,
    tokenFor,
    get server() {
      return get().server;
    },
    get alice() {
      return get().alice;
    },
    get bob() {
      return get().bob;
    },
    get aliceToken() {
      return get().aliceToken;
    },
    get bobToken() {
      return get().bobToken;
    },
  };
}
