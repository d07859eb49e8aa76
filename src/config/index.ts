// The config file's zod schema, the OAUTH_* quick config, ${VAR} references, and where the file lives.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { closestName } from '../closest-name.js';
import { OAuthToolError } from '../errors.js';
import { urlProblem } from '../net/outbound-policy.js';
import { describeJsonError } from './json-errors.js';
import { renameDeprecatedKeys } from './overlays.js';
import { applyPreset, presetProblems } from './presets.js';
import { privateKeyProblem } from './private-key.js';
import { QUICK_CONFIG_VARIABLES, quickConfigWarnings } from './quick-config.js';
import { applySources, type ConfigFlags, declaredSettings, fromSources } from './settings.js';

const serverUrl = z.string().superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** How an API wants the access token: `Authorization: <scheme> <token>` by default. */
const apiAuthSchema = z
  .object({
    scheme: z
      .string()
      .regex(/^([!#$%&'*+.^_`|~0-9A-Za-z-]+)?$/, 'one word (letters, digits, -), or "" for the bare token')
      .optional()
      .describe('`Bearer` (default); `""` for the bare token; or another word such as `token`.'),
    header: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name')
      .refine((name) => !FRAMING_HEADERS.has(name.toLowerCase()), 'a header the HTTP client sets itself')
      .optional()
      .describe('The header the token goes in; default `Authorization`.'),
  })
  .strict();
export type ApiAuth = z.infer<typeof apiAuthSchema>;
const FRAMING_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'cookie']);

/** RFC 8414 metadata a provider may give itself: URLs are checked like the issuer; other fields are kept as given. */
const metadataSchema = z
  .object({
    issuer: serverUrl.optional(),
    authorization_endpoint: serverUrl.optional(),
    token_endpoint: serverUrl.optional(),
    revocation_endpoint: serverUrl.optional(),
    introspection_endpoint: serverUrl.optional(),
    device_authorization_endpoint: serverUrl.optional(),
    userinfo_endpoint: serverUrl.optional(),
    jwks_uri: serverUrl.optional(),
    registration_endpoint: serverUrl.optional(),
    pushed_authorization_request_endpoint: serverUrl.optional(),
    end_session_endpoint: serverUrl.optional(),
  })
  .catchall(z.unknown());

/** Parameters oauth-mcp sets itself; a provider's extra parameters may not replace them. */
const RESERVED_PARAMETERS = new Set([
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'code',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'grant_type',
  'refresh_token',
  'device_code',
  'scope',
  'resource',
  'request_uri',
]);
const extraParameters = z.record(
  z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'a parameter name')
    .refine((name) => !RESERVED_PARAMETERS.has(name), {
      message: 'oauth-mcp sets this parameter itself (use "scopes", "resource" or "redirectUri" instead)',
    }),
  z.string(),
);

const PRESETS = ['github', 'google', 'microsoft-entra', 'okta', 'auth0', 'keycloak'] as const;

const providerFields = z
  .object({
    issuer: serverUrl
      .optional()
      .describe(
        'The authorization server issuer URL; filled by `preset` (or `metadata.issuer`) when absent.',
      ),
    preset: z
      .enum(PRESETS)
      .optional()
      .describe('A known provider whose issuer, endpoints and quirks fill what this entry does not set.'),
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'a tenant id or domain')
      .optional()
      .describe('With preset microsoft-entra: the tenant (id, domain, "organizations" or "common").'),
    domain: z
      .string()
      .min(1)
      .optional()
      .describe('With preset okta, auth0 or keycloak: the domain of the server.'),
    realm: z.string().min(1).optional().describe('With preset keycloak: the realm.'),
    audience: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The API the tokens are for, where the AS wants an `audience` (Auth0) or a `.default` scope (Entra).',
      ),
    discovery: z
      .boolean()
      .optional()
      .describe("Read the server's discovery documents (default true); false uses `metadata` alone."),
    metadata: metadataSchema
      .optional()
      .describe('RFC 8414 metadata merged over discovery, or used instead of it with `discovery: false`.'),
    clientId: z.string().min(1).optional().describe('The client id registered at this authorization server.'),
    clientMetadataUrl: serverUrl
      .optional()
      .describe(
        'A Client ID Metadata Document URL used as the client id where the server advertises client_id_metadata_document_supported (no registration); instead of clientId. In HTTP mode oauth-mcp serves the document itself at <public-url>/oauth/client-metadata/<provider>.',
      ),
    clientSecret: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The client secret of a confidential client; best an environment reference rather than the secret itself.',
      ),
    tokenEndpointAuthMethod: z
      .enum([...TOKEN_ENDPOINT_AUTH_METHODS, 'private_key_jwt'])
      .optional()
      .describe(
        'Default: client_secret_basic with a secret, private_key_jwt with a clientPrivateKey, none without.',
      ),
    clientPrivateKey: z
      .string()
      .min(1)
      .superRefine((value, ctx) => {
        const problem = privateKeyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        'private_key_jwt (RFC 7523): a private JWK as JSON or a PKCS#8 PEM, best an environment reference.',
      ),
    dpop: z
      .boolean()
      .optional()
      .describe(
        'Sender-constrained tokens (DPoP, RFC 9449) for every grant, refresh and API call. Default false.',
      ),
    apiAuth: apiAuthSchema
      .optional()
      .describe("How this provider's APIs want the token; `api.apiAuth` per origin wins over it."),
    scopes: z
      .array(z.string().min(1))
      .optional()
      .describe('Default scopes of sign-ins and client-credentials grants.'),
    scopeSeparator: z
      .enum([' ', ','])
      .optional()
      .describe(
        'How scopes are joined in requests: " " (RFC 6749, default) or "," for servers that need commas.',
      ),
    offlineAccess: z
      .boolean()
      .optional()
      .describe('Ask sign-ins for offline_access (a refresh token) when the server lists it. Default true.'),
    refreshWithScope: z
      .boolean()
      .optional()
      .describe(
        'Send the scope the session asked for on refresh requests (RFC 6749 section 6), for servers that need it (Microsoft Entra). Default false; true in preset microsoft-entra.',
      ),
    authorizationParams: extraParameters
      .optional()
      .describe(
        'Extra parameters of authorization and device authorization requests (audience, access_type, acr_values, ...).',
      ),
    tokenParams: extraParameters
      .optional()
      .describe('Extra parameters of every token request (audience, ...).'),
    jwtTypes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'JWT `typ` values accepted when an access token is checked locally; default ["at+jwt"] (RFC 9068).',
      ),
    resource: serverUrl.optional().describe('RFC 8707 resource indicator sent with token requests.'),
    redirectUri: serverUrl
      .optional()
      .describe('A fixed redirect URI; default: a loopback listener on 127.0.0.1 with an ephemeral port.'),
    usePar: z
      .boolean()
      .optional()
      .describe('Use pushed authorization requests (RFC 9126) even when the AS does not require them.'),
    initialAccessToken: z
      .string()
      .min(1)
      .optional()
      .describe('RFC 7591 initial access token for registering clients on this AS.'),
    apiOrigins: z
      .array(serverUrl)
      .optional()
      .describe(
        "Origins oauth_call_api may send this provider's tokens to. When set, it replaces `api.allowedOrigins` for this provider, and no other provider's tokens go to these origins.",
      ),
    onBehalfOf: z
      .union([z.literal(true), z.enum(['exchange', 'jwt-bearer'])])
      .optional()
      .describe(
        'HTTP mode with http.auth at this same server: a user who has no session of this provider gets one by exchanging the token they called oauth-mcp with, at this token endpoint (on-behalf-of; no sign-in). "exchange": RFC 8693 token exchange for `audience`, `resource` and `scopes`; "jwt-bearer": RFC 7523 with requested_token_use=on_behalf_of (Microsoft Entra); true: the preset\'s way, else "exchange".',
      ),
    sharedClientCredentials: z
      .boolean()
      .optional()
      .describe(
        'HTTP mode: let every user act as this client with its secret (client-credentials tokens, introspecting and revoking tokens they pass in) and register clients with its initialAccessToken. Default false: users only sign themselves in with it.',
      ),
  })
  .strict();

export type ProviderInput = z.infer<typeof providerFields>;
/** One configured authorization server: issuer, client credentials, scopes and overrides. */
export type ProviderConfig = ProviderInput & { issuer: string };

export const providerSchema = providerFields
  .superRefine((provider, ctx) => {
    for (const problem of presetProblems(provider)) ctx.addIssue({ code: 'custom', ...problem });
    const given = provider.issuer && provider.metadata?.issuer;
    if (given && provider.metadata?.issuer !== provider.issuer) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata', 'issuer'],
        message: `differs from "issuer" (${provider.issuer}); give the issuer once`,
      });
    }
    const otherClientId = provider.clientId && provider.clientId !== provider.clientMetadataUrl;
    if (provider.clientMetadataUrl && (otherClientId || provider.clientSecret)) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientMetadataUrl'],
        message:
          'is the client id itself, for a client without a shared secret: remove "clientId" and "clientSecret" (or remove clientMetadataUrl)',
      });
    }
    if (!provider.issuer && !provider.metadata?.issuer && !provider.preset) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: `is required (or a "preset": ${PRESETS.join(', ')})`,
      });
    }
  })
  .transform((provider): ProviderConfig => {
    const settings = applyPreset(provider);
    // A Client ID Metadata Document's URL is the client id (draft-ietf-oauth-client-id-metadata-document).
    return settings.clientMetadataUrl ? { ...settings, clientId: settings.clientMetadataUrl } : settings;
  })
  .superRefine((provider, ctx) => {
    if (
      provider.discovery === false &&
      !provider.metadata?.token_endpoint &&
      !provider.metadata?.authorization_endpoint
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadata'],
        message:
          'with "discovery": false, give the endpoints in "metadata" (at least token_endpoint, with RFC 8414 names such as authorization_endpoint, device_authorization_endpoint, revocation_endpoint)',
      });
    }
  });

/**
 * Provider names are the user's: checked through a Map, because a record drops `__proto__` and plain
 * lookups find `constructor` on Object.prototype. The result is a plain object of own properties.
 */
const providersSchema = z
  .preprocess(
    (value) =>
      value && typeof value === 'object' && !Array.isArray(value) ? new Map(Object.entries(value)) : value,
    z.map(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . -'), providerSchema),
  )
  .transform((providers): Record<string, ProviderConfig> => Object.fromEntries(providers));

/** RFC 6749 3.3 scope-token: it goes verbatim into WWW-Authenticate challenges and scopes_supported. */
const scopeToken = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'one scope (RFC 6749 3.3: no spaces, quotes or backslashes)');

export const configSchema = z
  .object({
    providers: providersSchema
      .default({})
      .describe('The authorization servers and clients, by a name of your choice (letters, digits, _ . -).'),
    defaultProvider: z
      .string()
      .optional()
      .describe('The provider used when a tool call names none; default: the only one, if one.'),
    store: z
      .object({
        type: z
          .enum(['auto', 'keychain', 'file', 'memory', 'redis'])
          .default('auto')
          .describe('Where tokens are kept; "auto" prefers the OS keychain, else an owner-only file.'),
        path: z
          .string()
          .optional()
          .describe('store.type "file": the token file; default in the user data dir.'),
        url: z.string().optional().describe('store.type "redis": the server, e.g. "redis://127.0.0.1:6379".'),
        key: fromSources(
          z
            .string()
            .min(16, 'use a key of at least 16 characters')
            .optional()
            .describe(
              'A passphrase (16+ characters) tokens are encrypted with at rest (the file wins over the variable).',
            ),
          { env: ['OAUTH_MCP_STORE_KEY'], kind: 'string', mode: 'fallback' },
        ),
      })
      .strict()
      .default({ type: 'auto' })
      .describe('The token store.'),
    exposeTokens: z
      .boolean()
      .default(false)
      .describe('Put raw access/refresh tokens and client secrets in tool output.'),
    api: z
      .object({
        allowedOrigins: z
          .array(serverUrl)
          .default([])
          .describe(
            "API origins open to the tokens of every provider without `apiOrigins` of its own (and of clients registered at their issuers); origins a provider lists in its `apiOrigins` stay that provider's.",
          ),
        apiAuth: z
          .record(serverUrl, apiAuthSchema)
          .optional()
          .describe('How the API at an origin wants the token, by origin (e.g. "https://api.example.com").'),
      })
      .strict()
      .default({ allowedOrigins: [] })
      .describe('Where oauth_call_api may send tokens.'),
    network: z
      .object({
        allowPrivate: z
          .boolean()
          .default(false)
          .describe(
            "Let every outbound request reach loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10), link-local (169.254/16, fe80::/10, cloud metadata) and unique-local (fc00::/7) addresses. When false, only URLs this file names (issuers, API origins, http.auth issuer) may be such addresses; URLs from a model or from an authorization server's answers must resolve to public addresses.",
          ),
      })
      .strict()
      .default({ allowPrivate: false })
      .describe('Outbound requests.'),
    http: z
      .object({
        host: fromSources(
          z
            .string()
            .min(1)
            .default('127.0.0.1')
            .describe('The address HTTP mode binds; a non-loopback one needs http.auth.'),
          { flag: '--host', env: ['OAUTH_MCP_HOST'], kind: 'string' },
        ),
        port: fromSources(
          z
            .number()
            .int()
            .min(0)
            .max(65_535)
            .default(8080)
            .describe('The port HTTP mode listens on (0: any free port).'),
          { flag: '--port', env: ['OAUTH_MCP_PORT'], kind: 'number' },
        ),
        publicUrl: fromSources(
          z
            .url()
            .optional()
            .describe(
              'The URL clients reach this server at (behind a reverse proxy); default from host and port.',
            ),
          { flag: '--public-url', env: ['OAUTH_MCP_PUBLIC_URL'], kind: 'string' },
        ),
        auth: z
          .object({
            issuer: serverUrl.describe('The authorization server that issues tokens for /mcp.'),
            audience: z
              .string()
              .min(1)
              .describe('RFC 8707: tokens must carry this audience; usually `<public-url>/mcp`.'),
            requiredScopes: z
              .array(scopeToken)
              .optional()
              .describe(
                'Scopes every /mcp request needs (listing tools). Default ["mcp:tools:read"]. The 401 challenge, every 403 and the metadata\'s scopes_supported name these and callScopes together, so one sign-in covers listing and calling.',
              ),
            callScopes: z
              .array(scopeToken)
              .min(1)
              .optional()
              .describe(
                'Scopes a tools/call needs on top. Default ["mcp:tools:execute"]. For read-only users, let the authorization server grant them requiredScopes only: they list tools, and a tools/call answers 403 insufficient_scope.',
              ),
            jwtTypes: z
              .array(z.string().min(1))
              .min(1)
              .optional()
              .describe(
                'JWT access tokens must have the RFC 9068 header `typ: at+jwt` (default), which keeps ID tokens and other JWTs from passing as access tokens. Some ASes (Keycloak, Okta, Entra) issue `typ: JWT`: list the types to accept, e.g. ["at+jwt", "JWT"]; issuer, audience, expiry and signature are checked either way.',
              ),
            introspection: z
              .object({
                clientId: z.string().describe('The client id /mcp introspects tokens with.'),
                clientSecret: z.string().describe('Its client secret.'),
              })
              .strict()
              .optional()
              .describe('RFC 7662 introspection credentials, for opaque (non-JWT) access tokens.'),
          })
          .strict()
          .optional()
          .describe('HTTP mode: /mcp needs OAuth access tokens of this authorization server.'),
        allowedBrowserOrigins: z
          .array(z.string())
          .optional()
          .describe(
            "Browser origins allowed to call /mcp besides the public URL's: exact origins, or bare hostnames (any port).",
          ),
        legacySessions: z
          .enum(['stateful', 'stateless'])
          .default('stateful')
          .describe(
            'How 2025-era clients are served: "stateful" (MCP sessions held in this process, so elicitation and cancellation work) or "stateless" (any instance answers any request: use it behind a load balancer without sticky sessions).',
          ),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .max(16_777_216)
          .default(1_048_576)
          .describe('Largest request body accepted on /mcp, in bytes.'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, legacySessions: 'stateful', maxBodyBytes: 1_048_576 })
      .describe('HTTP mode (--transport http).'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(120_000)
      .default(10_000)
      .describe('Timeout of every request to an authorization server or API, in ms.'),
    openBrowser: fromSources(
      z
        .boolean()
        .default(true)
        .describe(
          'Open the system browser for sign-ins when a desktop is available; the flag, CI or the variable turn it off.',
        ),
      { flag: '--no-browser', env: ['OAUTH_MCP_NO_BROWSER', 'CI'], kind: 'boolean', mode: 'disable' },
    ),
    transport: fromSources(
      z
        .enum(['stdio', 'http'])
        .default('stdio')
        .describe('How MCP clients reach the server: stdio, or streamable HTTP at /mcp.'),
      { flag: '--transport', env: ['OAUTH_MCP_TRANSPORT'], kind: 'string' },
    ),
    toolsets: fromSources(
      z
        .array(z.string())
        .optional()
        .describe(
          'Only the tools of these toolsets (discovery, tokens, signin, registration, api, sessions); default all.',
        ),
      { flag: '--toolsets', env: ['OAUTH_MCP_TOOLSETS'], kind: 'list' },
    ),
    tools: fromSources(
      z
        .array(z.string())
        .optional()
        .describe(
          'Globs of tool names to keep (oauth_*), and !glob to leave out (!oauth_delete_client); a deny wins.',
        ),
      { flag: '--tools', env: ['OAUTH_MCP_TOOLS'], kind: 'list' },
    ),
    readOnly: fromSources(z.boolean().default(false).describe('Only the read-only tools.'), {
      flag: '--read-only',
      env: ['OAUTH_MCP_READ_ONLY'],
      kind: 'boolean',
    }),
    log: z
      .object({
        level: fromSources(
          z
            .enum(['debug', 'info', 'warn', 'error'])
            .optional()
            .describe(
              "The least severe lines logged; default info for the server, warn for the people's commands.",
            ),
          { flag: '--log-level', env: ['OAUTH_MCP_LOG_LEVEL'], kind: 'string' },
        ),
        file: fromSources(
          z
            .string()
            .optional()
            .describe('Also append the log to this file (mode 0600), with timestamps, for bug reports.'),
          { flag: '--log-file', env: ['OAUTH_MCP_LOG_FILE'], kind: 'string' },
        ),
        format: fromSources(
          z
            .enum(['text', 'json'])
            .default('text')
            .describe('Log lines as text, or as one JSON object per line.'),
          { flag: '--log-format', env: ['OAUTH_MCP_LOG_FORMAT'], kind: 'string' },
        ),
      })
      .strict()
      .default({ format: 'text' })
      .describe('Logging: lines go to stderr (stdout is the MCP protocol in stdio mode).'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.defaultProvider && !Object.hasOwn(config.providers, config.defaultProvider)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultProvider'],
        message: `names provider "${config.defaultProvider}", which is not in "providers" (${Object.keys(config.providers).join(', ') || 'none configured'})`,
      });
    }
    // On-behalf-of exchanges a caller's token only where it was issued: elsewhere every exchange would be refused.
    const inbound = config.http.auth?.issuer.replace(/\/+$/, '');
    for (const [name, provider] of Object.entries(config.providers)) {
      if (!provider.onBehalfOf || !inbound || provider.issuer.replace(/\/+$/, '') === inbound) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['providers', name, 'onBehalfOf'],
        message: `exchanges the token a caller presents to oauth-mcp, which http.auth's issuer (${inbound}) issued; this provider's issuer is ${provider.issuer}. Point the provider at that server, or remove onBehalfOf`,
      });
    }
  });

/** The validated configuration: providers, store, HTTP and API settings, with defaults filled in. */
export type Config = z.infer<typeof configSchema>;

/** URLs the operator wrote (or --demo added): their origins may be loopback or private addresses. */
export function configuredUrls(config: Config): string[] {
  return [
    ...Object.values(config.providers).flatMap((provider) => [
      provider.issuer,
      ...Object.values(provider.metadata ?? {}).filter((value): value is string => typeof value === 'string'),
      ...(provider.apiOrigins ?? []),
    ]),
    ...config.api.allowedOrigins,
    ...(config.http.auth ? [config.http.auth.issuer] : []),
  ];
}

function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'oauth-mcp');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'oauth-mcp');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'oauth-mcp');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'oauth-mcp');
}

/** `${NAME}` in any string is replaced from the environment; a missing variable names the field. */
function expandEnvReferences(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw configError(
          path,
          `refers to \${${name}}, but the environment variable ${name} is not set; set it or write the value into the config`,
        );
      }
      return found;
    });
  }
  if (Array.isArray(value))
    return value.map((item, i) => expandEnvReferences(item, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandEnvReferences(item, env, [...path, key])]),
    );
  }
  return value;
}

/** Builds the `default` provider from OAUTH_ISSUER, OAUTH_CLIENT_ID, ... when OAUTH_ISSUER is set. */
function providerFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  if (!env.OAUTH_ISSUER) return undefined;
  return {
    issuer: env.OAUTH_ISSUER,
    ...(env.OAUTH_CLIENT_ID ? { clientId: env.OAUTH_CLIENT_ID } : {}),
    ...(env.OAUTH_CLIENT_SECRET ? { clientSecret: env.OAUTH_CLIENT_SECRET } : {}),
    ...(env.OAUTH_SCOPES ? { scopes: env.OAUTH_SCOPES.split(/\s+/).filter(Boolean) } : {}),
    ...(env.OAUTH_RESOURCE ? { resource: env.OAUTH_RESOURCE } : {}),
  };
}

/** Where loadConfig reads from; every field is optional (defaults: process.env, no flags, warnings to stderr). */
export interface LoadConfigOptions {
  /** `--config FILE`; else OAUTH_MCP_CONFIG; else the user config dir (missing there is fine). */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags laid over the file and the environment. */
  flags?: ConfigFlags;
  /** Deprecations and ignored variables; default: stderr. */
  onWarning?: (message: string) => void;
}

/** Which config file is read and why: `--config`, then OAUTH_MCP_CONFIG, then the user config dir. */
export function configLocation(options: LoadConfigOptions = {}): {
  path: string;
  from: '--config' | 'OAUTH_MCP_CONFIG' | 'default';
} {
  const env = options.env ?? process.env;
  if (options.path) return { path: options.path, from: '--config' };
  if (env.OAUTH_MCP_CONFIG) return { path: env.OAUTH_MCP_CONFIG, from: 'OAUTH_MCP_CONFIG' };
  return { path: join(configDir(env), 'config.json'), from: 'default' };
}

/**
 * Reads the config file, lays the environment and flags over it, and validates it; throws on invalid config.
 *
 * @example
 * const config = loadConfig({ path: 'config.json' });
 * @see README.md#connecting-your-own-authorization-server
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const { path, from } = configLocation(options);
  const explicit = from !== 'default';
  let raw: unknown = {};
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (explicit || !missing) {
      throw new OAuthToolError(
        'not_configured',
        `Cannot read the config file ${path}: ${missing ? 'it does not exist' : (error as Error).message}. Check the --config path or OAUTH_MCP_CONFIG.`,
      );
    }
  }
  if (text !== undefined) {
    try {
      raw = JSON.parse(text);
    } catch {
      // V8's own message may quote the file, secrets included: say where and what instead.
      const where = describeJsonError(text.replace(/^\uFEFF/, '')) ?? 'a character JSON does not allow';
      throw new OAuthToolError(
        'not_configured',
        `The config file ${path} is not valid JSON: ${where}. Fix it there, then run the command again.`,
      );
    }
  }
  return parseConfig(raw, env, { ...options, source: path });
}

/**
 * The one place a Config is resolved: the file's content (already read) with `${VAR}` references, old
 * key names, the OAUTH_* quick config, then the environment and flags of config/overlays.ts.
 *
 * @example
 * const config = parseConfig({ providers: { work: { issuer: 'https://auth.example.com', clientId: 'app' } } });
 * @see README.md#connecting-your-own-authorization-server
 */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  options: Pick<LoadConfigOptions, 'flags' | 'onWarning'> & { source?: string } = {},
): Config {
  const { source = 'config', flags = {} } = options;
  const warn = options.onWarning ?? ((message) => process.stderr.write(`[oauth-mcp] warn: ${message}\n`));
  for (const warning of quickConfigWarnings(env)) warn(warning);
  const expanded = expandEnvReferences(raw, env) as Record<string, unknown>;
  renameDeprecatedKeys(expanded, warn);
  const fromEnv = providerFromEnv(env);
  if (fromEnv && expanded && typeof expanded === 'object') {
    const providers = {
      ...((expanded.providers as Record<string, unknown> | undefined) ?? {}),
      default: fromEnv,
    };
    expanded.providers = providers;
    expanded.defaultProvider ??= 'default';
  }
  const fromSourcesOf =
    expanded && typeof expanded === 'object' && !Array.isArray(expanded)
      ? applySources(expanded, SETTINGS, env, flags)
      : new Map<string, string>();
  const result = configSchema.safeParse(expanded, { jitless: true });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const [section, name, field] = issue.path.map(String);
      const variable =
        fromEnv && section === 'providers' && name === 'default' && field && QUICK_CONFIG_VARIABLES[field]
          ? `${QUICK_CONFIG_VARIABLES[field]} (environment)`
          : fromSourcesOf.get(issue.path.join('.'));
      return variable
        ? `- ${variable}: ${issue.message}`
        : `- ${issue.path.join('.') || '(root)'}: ${issueMessage(issue)}`;
    });
    const where = existsSync(source) || !fromEnv ? source : 'the OAUTH_* environment variables';
    throw new OAuthToolError('not_configured', `Invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** The settings with a flag or variable, read off the schema once. */
const SETTINGS = declaredSettings(configSchema);

/** Every key the schema knows, at any depth: what a mistyped key is compared with (read when one is). */
let knownKeys: string[] | undefined;

/** Zod's message, with the key that was meant for an unknown one (`clientid` -> `clientId`). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  return issue.keys
    .map((key) => {
      // A key known elsewhere (api.allowedOrigins) is no guess for itself in another section.
      knownKeys ??= [...schemaKeys(configSchema)];
      const guess = closestName(
        key,
        knownKeys.filter((known) => known !== key),
      );
      return guess ? `unknown key "${key}": did you mean "${guess}"?` : `unknown key "${key}"`;
    })
    .join('; ');
}

function schemaKeys(
  schema: z.core.$ZodType,
  into = new Set<string>(),
  seen = new Set<unknown>(),
): Set<string> {
  if (seen.has(schema)) return into;
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown>;
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
      into.add(key);
      schemaKeys(field, into, seen);
    }
  }
  for (const inner of ['innerType', 'in', 'out', 'valueType', 'element', 'left', 'right']) {
    if (def[inner]) schemaKeys(def[inner] as z.core.$ZodType, into, seen);
  }
  for (const option of (def.options as z.core.$ZodType[] | undefined) ?? []) schemaKeys(option, into, seen);
  return into;
}

function configError(path: string[], message: string): OAuthToolError {
  return new OAuthToolError(
    'not_configured',
    `Invalid configuration: ${path.join('.') || '(root)'} ${message}`,
  );
}
