// The embedded demo authorization server: a real oidc-provider on loopback, with fault hooks for tests.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Provider, { type ClientMetadata, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { DEMO_CLIENTS, DEMO_RESOURCE, demoClientMetadata } from './demo-clients.js';
import { deviceFlowPages, renderError } from './pages.js';

export { DEMO_CLIENTS, DEMO_REDIRECT_URI, DEMO_RESOURCE } from './demo-clients.js';

export interface ResourceServerOptions {
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
  /** Where internal server errors go; default one line on stderr (stdout may be the MCP protocol). */
  onServerError?: (error: unknown) => void;
}

export interface InjectedResponse {
  status: number;
  body: string;
  /** Default 'application/json'. */
  contentType?: string;
}

export interface IssueAccessTokenOptions {
  accountId: string;
  clientId: string;
  scope: string;
  /** A configured resource indicator; the token is a JWT when that resource server says so. Omit for userinfo. */
  resource?: string;
}

export interface RunningAuthorizationServer {
  issuer: string;
  port: number;
  provider: Provider;
  clients: typeof DEMO_CLIENTS;
  /** Requests received so far, by `METHOD /path` and, for the token endpoint, by `grant:<grant_type>`. */
  counts(): Record<string, number>;
  resetCounts(): void;
  /** The next request to `path` ('/token' or 'POST /token') gets this response instead (queued, one per call). */
  failNext(path: string, response: InjectedResponse): void;
  /** Holds every request to `path` for `ms` before the provider sees it, until `clearFaults()`. */
  delay(path: string, ms: number): void;
  clearFaults(): void;
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
  const resourceServers = { ...DEFAULT_RESOURCE_SERVERS, ...options.resourceServers };
  const ttl = options.ttl ?? {};
  const onServerError =
    options.onServerError ??
    ((error: unknown) =>
      process.stderr.write(`[oauth-mcp demo] authorization server error: ${(error as Error)?.message}\n`));

  const requestCounts = new Map<string, number>();
  const bump = (key: string) => requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
  const injected = new Map<string, InjectedResponse[]>();
  const delays = new Map<string, number>();

  let handle:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  const server = createServer((req, res) => {
    if (handle) return handle(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const resourceServerInfo = (resource: string) => {
    const found = resourceServers[resource];
    if (!found) throw new errors.InvalidTarget();
    return {
      scope: found.scope,
      accessTokenFormat: found.accessTokenFormat ?? 'opaque',
      audience: found.audience,
      accessTokenTTL: found.accessTokenTTL ?? ttl.accessToken,
    };
  };
  const scopes = new Set([...BASE_SCOPES, ...(options.scopes ?? [])]);
  for (const { scope } of Object.values(resourceServers)) for (const s of scope.split(' ')) scopes.add(s);

  const provider = new Provider(issuer, {
    clients: [...demoClientMetadata(), ...(options.clients ?? [])],
    jwks: { keys: await signingKeys() },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        email: `${id}@example.test`,
        email_verified: true,
        name: id.charAt(0).toUpperCase() + id.slice(1),
      }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: [...scopes],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    renderError,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      userinfo: { enabled: true },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      registration: { enabled: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      rpInitiatedLogout: { enabled: false },
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

  const faultKey = (map: Map<string, unknown>, ctx: KoaContextWithOIDC) =>
    [`${ctx.method} ${ctx.path}`, ctx.path].find((key) => map.has(key));
  provider.use(async (ctx, next) => {
    bump(`${ctx.method} ${ctx.path}`);
    const delayKey = faultKey(delays, ctx);
    if (delayKey) await new Promise((resolve) => setTimeout(resolve, delays.get(delayKey)));
    const failKey = faultKey(injected, ctx);
    const fault = failKey ? injected.get(failKey)?.shift() : undefined;
    if (failKey && injected.get(failKey)?.length === 0) injected.delete(failKey);
    if (fault) {
      ctx.status = fault.status;
      ctx.type = fault.contentType ?? 'application/json';
      ctx.body = fault.body;
      return;
    }
    await next();
    const grantType = ctx.oidc?.body?.grant_type;
    if (ctx.path === '/token' && typeof grantType === 'string') bump(`grant:${grantType}`);
    if (options.devicePollInterval && ctx.path === '/device/auth' && ctx.status === 200) {
      (ctx.body as Record<string, unknown>).interval = options.devicePollInterval;
    }
  });
  handle = provider.callback();

  return {
    issuer,
    port,
    provider,
    clients: DEMO_CLIENTS,
    counts: () => Object.fromEntries(requestCounts),
    resetCounts: () => requestCounts.clear(),
    failNext: (path, response) => injected.set(path, [...(injected.get(path) ?? []), response]),
    delay: (path, ms) => delays.set(path, ms),
    clearFaults: () => {
      injected.clear();
      delays.clear();
    },
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
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Fresh RS256 and ES256 signing keys per start; they never leave the process. */
async function signingKeys() {
  const keyPair = promisify(generateKeyPair);
  const [rsa, ec] = await Promise.all([
    keyPair('rsa', { modulusLength: 2048 }),
    keyPair('ec', { namedCurve: 'P-256' }),
  ]);
  const suffix = randomBytes(6).toString('base64url');
  return [
    { ...rsa.privateKey.export({ format: 'jwk' }), kid: `rs256-${suffix}`, alg: 'RS256', use: 'sig' },
    { ...ec.privateKey.export({ format: 'jwk' }), kid: `es256-${suffix}`, alg: 'ES256', use: 'sig' },
  ];
}

// oidc-provider's own defaults, minus their stdout notices: any confidential client may introspect,
// a public client only its own tokens; only the owning client may revoke.
async function introspectionAllowed(
  ctx: { oidc: { client: { clientId: string } } },
  client: { clientAuthMethod: string },
  token: { clientId: string },
) {
  return !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId);
}

async function revocationAllowed(
  _ctx: unknown,
  client: { clientId: string; clientAuthMethod: string },
  token: { clientId: string },
) {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}
