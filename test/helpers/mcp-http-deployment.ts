// HTTP mode as a real deployment for MCP clients: the built server with `--transport http` and http.auth on
// a real oidc-provider that issues JWT access tokens for our /mcp, has dynamic client registration (RFC 7591)
// open, and enforces each client's registered scopes (RFC 7591 section 2), as the MCP clients meet it.

import { afterAll, beforeAll } from 'vitest';
import { useAuthorizationServer } from './authorization-server.js';
import {
  demoProvider,
  freePort,
  type HttpServerProcess,
  MCP_SCOPES,
  startHttpProcess,
} from './http-server-process.js';

/** A machine client registered up front (client credentials only), allowed the MCP scopes. */
export const MACHINE_CLIENT = {
  clientId: 'mcp-machine',
  clientSecret: 'mcp-machine-secret-NOT-A-REAL-SECRET',
} as const;

export interface McpHttpDeployment {
  readonly issuer: string;
  readonly mcpUrl: string;
  server(): HttpServerProcess;
}

/**
 * Call at the top of a test file (it uses top-level hooks). The MCP URL is fixed before the authorization
 * server starts because the AS must know the audience (resource indicator) of the tokens it issues.
 */
export async function useMcpHttpDeployment(): Promise<McpHttpDeployment> {
  const port = await freePort();
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const as = useAuthorizationServer({
    resourceServers: { [mcpUrl]: { scope: MCP_SCOPES, accessTokenFormat: 'jwt' } },
    clients: [
      {
        client_id: MACHINE_CLIENT.clientId,
        client_secret: MACHINE_CLIENT.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: MCP_SCOPES,
      },
    ],
  });
  let server: HttpServerProcess | undefined;
  beforeAll(async () => {
    server = await startHttpProcess({
      port,
      config: {
        providers: {
          demo: demoProvider(as.issuer),
        },
        defaultProvider: 'demo',
        store: { type: 'memory' },
        // Defaults otherwise: the scopes, the challenge and the metadata are what every deployment gets.
        http: { auth: { issuer: as.issuer, audience: mcpUrl } },
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get issuer() {
      return as.issuer;
    },
    mcpUrl,
    server: () => {
      if (!server) throw new Error('the HTTP server is not running (use it inside tests or hooks)');
      return server;
    },
  };
}
