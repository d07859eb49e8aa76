// The embedded demo authorization server: a real oidc-provider on loopback, with fault hooks for tests.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, errors } from 'oidc-provider';
import { DEMO_CLIENTS, DEMO_RESOURCE, demoClientMetadata } from './demo-clients.js';
import { deviceFlowPages, renderError } from './pages.js';
import { findAccount, introspectionAllowed, revocationAllowed, signingKeys } from './provider-defaults.js';
import { createRequestHooks, type ObservedRequest, type RequestHooks } from './request-hooks.js';

export { DEMO_CLIENTS, DEMO_REDIRECT_URI, DEMO_RESOURCE } from './demo-clients.js';
export type { InjectedResponse } from './request-hooks.js';

interface ResourceServerOptions {
  /** Space-separated scopes this resource accepts. */
  scope: string;
  /** Default 'opaque' (introspectable, revocable); 'jwt' gives RFC 9068 tokens signed RS256. */
  accessTokenFormat?: 'jwt' | 'opaque';
  /** Default: the resource indicator itself. */
  audience?: string;
  /** Seconds; default `ttl.accessToken`. */
  accessTokenTTL?: number;
}

export interface AuthorizationServerOptions {
  /** Port on 127.0.0.1; default 0 (a random free port). The server never binds anything but loopback. */
  port?: number;
  /** Protected resources by resource indicator, added to (or replacing) the default `DEMO_RESOURCE`. */
  resourceServers?: Record<string, ResourceServerOptions>;
  /** Scopes besides openid, profile, email, offline_access and the resource servers' scopes. */
  scopes?: string[];
  /** More clients (oidc-provider client metadata); the `DEMO_CLIENTS` are always present. */
  clients?: ClientMetadata[];
  /** Lifetimes in seconds; defaults: access token 3600 (600 for client credentials), device code 600, refresh token 14 days. */
  ttl?: { accessToken?: number; deviceCode?: number; refreshToken?: number };
  /** Issue a new refresh token on every refresh, for every client; default true. */
  rotateRefreshTokens?: boolean;
  /** Adds `interval` (seconds) to device authorization responses; default none, so clients poll every 5 s. */
  devicePollInterval?: number;
  /** DPoP (RFC 9449) is on; with this, every DPoP proof must carry a server nonce (RFC 9449 8). */
  dpopNonce?: boolean;
  /** Switch oidc-provider features off (or on): deviceFlow, revocation, introspection, registration, pushedAuthorizationRequests, dPoP. */
  features?: Partial<Record<SwitchableFeature, boolean>>;
  /** More private JWKs for the provider's JWKS, after the generated ones (tests: known or weak keys). */
  extraKeys?: Record<string, unknown>[];
  /** Sees every request after the provider handled it (tests assert on what reached a server). */
  onRequest?: (request: ObservedRequest) => void;
  /** Answer 404 to the discovery documents (`/.well-known/*`), like servers that publish none; default false. */
  blockDiscovery?: boolean;
  /** Where internal server errors go; default one line on stderr (stdout may be the MCP protocol). */
  onServerError?: (error: unknown) => void;
  /**
   * Serve https with this certificate (PEM) and name the issuer `https://<hostname>:<port>` (tests: a
   * private CA, a name only a proxy resolves). Still bound to 127.0.0.1 only.
   */
  tls?: { key: string; cert: string; hostname: string };
}

type SwitchableFeature =
  | 'deviceFlow'
  | 'revocation'
  | 'introspection'
  | 'registration'
  | 'pushedAuthorizationRequests'
  | 'dPoP';

interface IssueAccessTokenOptions {
  accountId: string;
  clientId: string;
  scope: string;
  /** A configured resource indicator; the token is a JWT when that resource server says so. Omit for userinfo. */
  resource?: string;
}

export interface RunningAuthorizationServer extends RequestHooks {
  issuer: string;
  port: number;
  /** TCP connections accepted so far: clients that keep connections alive open few. */
  connectionCount(): number;
  provider: Provider;
  clients: typeof DEMO_CLIENTS;
  /** Mints an access token through the provider's models, as if a grant had been approved. */
  issueAccessToken(options: IssueAccessTokenOptions): Promise<string>;
  close(): Promise<void>;
}

const DAY = 24 * 60 * 60;
const BASE_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const DEFAULT_RESOURCE_SERVERS: Record<string, ResourceServerOptions> = {
  [DEMO_RESOURCE]: { scope: 'api:read api:write', accessTokenFormat: 'opaque' },
};

export async function startAuthorizationServer(
  options: AuthorizationServerOptions = {},
): Promise<RunningAuthorizationServer> {
  // A Map: the resource indicator comes from the client, and `constructor` must not find Object's.
  const resourceServers = new Map(
    Object.entries({ ...DEFAULT_RESOURCE_SERVERS, ...options.resourceServers }),
  );
  const ttl = options.ttl ?? {};
  const onServerError =
    options.onServerError ??
    ((error: unknown) =>
      process.stderr.write(`[oauth-mcp demo] authorization server error: ${(error as Error)?.message}\n`));

  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (handle) return handle(req, res);
    res.writeHead(503).end();
  };
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createServer(onRequest);
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = options.tls ? `https://${options.tls.hostname}:${port}` : `http://127.0.0.1:${port}`;

  const resourceServerInfo = (resource: string) => {
    const found = resourceServers.get(resource);
    if (!found) throw new errors.InvalidTarget();
    return {
      scope: found.scope,
      accessTokenFormat: found.accessTokenFormat ?? 'opaque',
      audience: found.audience,
      accessTokenTTL: found.accessTokenTTL ?? ttl.accessToken,
    };
  };
  const scopes = new Set([...BASE_SCOPES, ...(options.scopes ?? [])]);
  for (const { scope } of resourceServers.values()) for (const s of scope.split(' ')) scopes.add(s);

  const provider = new Provider(issuer, {
    clients: [...demoClientMetadata(), ...(options.clients ?? [])],
    jwks: { keys: [...(await signingKeys()), ...(options.extraKeys ?? [])] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: [...scopes],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    renderError,
    features: {
      devInteractions: { enabled: true },
      dPoP: {
        enabled: true,
        ...(options.dpopNonce ? { nonceSecret: randomBytes(32), requireNonce: () => true } : {}),
      },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      userinfo: { enabled: true },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      registration: { enabled: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      rpInitiatedLogout: { enabled: false },
      ...switched(options.features),
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => resourceServerInfo(resource),
      },
    },
    issueRefreshToken: async (
      _ctx: unknown,
      client: { grantTypeAllowed(t: string): boolean },
      code: { scopes: Set<string> },
    ) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: options.rotateRefreshTokens ?? true,
    // Every default TTL function prints a notice on stdout, which would corrupt a stdio MCP stream.
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? ttl.accessToken ?? 3600,
      AuthorizationCode: 60,
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? ttl.accessToken ?? 600,
      DeviceCode: ttl.deviceCode ?? 600,
      Grant: 14 * DAY,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: ttl.refreshToken ?? 14 * DAY,
      Session: 14 * DAY,
    },
  });
  provider.on('server_error', (_ctx, error) => onServerError(error));

  const { hooks, middleware } = createRequestHooks({
    devicePollInterval: options.devicePollInterval,
    onRequest: options.onRequest,
    blockDiscovery: options.blockDiscovery,
  });
  provider.use(middleware);
  handle = provider.callback();

  return {
    issuer,
    port,
    provider,
    clients: DEMO_CLIENTS,
    ...hooks,
    connectionCount: () => connections,
    async issueAccessToken({ accountId, clientId, scope, resource }) {
      const client = await provider.Client.find(clientId);
      if (!client) throw new Error(`unknown client ${clientId}`);
      const grant = new provider.Grant({ accountId, clientId });
      if (resource) grant.addResourceScope(resource, scope);
      else grant.addOIDCScope(scope);
      const grantId = await grant.save();
      const token = new provider.AccessToken({
        accountId,
        client,
        grantId,
        scope,
        gty: 'authorization_code',
        ...(resource && {
          resourceServer: new provider.ResourceServer(resource, resourceServerInfo(resource)),
        }),
      });
      return token.save();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function switched(features: AuthorizationServerOptions['features'] = {}) {
  const entries = Object.entries(features).map(([name, enabled]) => [name, { enabled }]);
  // client management (RFC 7592) cannot outlive registration
  if (features.registration === false) entries.push(['registrationManagement', { enabled: false }]);
  return Object.fromEntries(entries) as Record<string, { enabled: boolean }>;
}
