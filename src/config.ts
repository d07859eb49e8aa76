// The config file's zod schema, the OAUTH_* quick config, ${VAR} references, and where the file lives.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { OAuthToolError } from './auth/errors.js';
import { applyPreset, presetProblems } from './auth/presets.js';
import { privateKeyProblem } from './auth/private-key.js';
import { urlProblem } from './net/outbound-policy.js';
import { QUICK_CONFIG_VARIABLES } from './quick-config.js';

const serverUrl = z.string().superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** How an API wants the access token: `Authorization: <scheme> <token>` by default. */
export const apiAuthSchema = z
  .object({
    /** `Bearer` (default); `""` for the bare token; or another word such as `token`. */
    scheme: z
      .string()
      .regex(/^([!#$%&'*+.^_`|~0-9A-Za-z-]+)?$/, 'one word (letters, digits, -), or "" for the bare token')
      .optional(),
    /** Default `Authorization`. */
    header: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name')
      .refine((name) => !FRAMING_HEADERS.has(name.toLowerCase()), 'a header the HTTP client sets itself')
      .optional(),
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
export type ConfiguredMetadata = z.infer<typeof metadataSchema>;

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

export const PRESETS = ['github', 'google', 'microsoft-entra', 'okta', 'auth0', 'keycloak'] as const;

const providerFields = z
  .object({
    /** The authorization server issuer URL; filled by `preset` (or `metadata.issuer`) when absent. */
    issuer: serverUrl.describe('The authorization server issuer URL').optional(),
    /** A known provider whose issuer, endpoints and quirks fill what this entry does not set. */
    preset: z.enum(PRESETS).optional(),
    /** Preset fields: Entra tenant (id, domain, organizations, common), Okta/Auth0/Keycloak domain, Keycloak realm. */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'a tenant id or domain')
      .optional(),
    domain: z.string().min(1).optional(),
    realm: z.string().min(1).optional(),
    /** The API the tokens are for, where the AS wants an `audience` (Auth0) or a `.default` scope (Entra). */
    audience: z.string().min(1).optional(),
    /** Read the server's discovery documents (default true); false uses `metadata` alone. */
    discovery: z.boolean().optional(),
    /** RFC 8414 metadata merged over discovery, or used instead of it with `discovery: false`. */
    metadata: metadataSchema.optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Default: client_secret_basic with a secret, private_key_jwt with a clientPrivateKey, none without. */
    tokenEndpointAuthMethod: z.enum([...TOKEN_ENDPOINT_AUTH_METHODS, 'private_key_jwt']).optional(),
    /** private_key_jwt (RFC 7523): a private JWK as JSON or a PKCS#8 PEM, usually `${VAR}`. */
    clientPrivateKey: z
      .string()
      .min(1)
      .superRefine((value, ctx) => {
        const problem = privateKeyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** Sender-constrained tokens (DPoP, RFC 9449) for every grant, refresh and API call. Default false. */
    dpop: z.boolean().optional(),
    /** How this provider's APIs want the token; `api.apiAuth` per origin wins over it. */
    apiAuth: apiAuthSchema.optional(),
    /** Default scopes of sign-ins and client-credentials grants. */
    scopes: z.array(z.string().min(1)).optional(),
    /** How scopes are joined in requests: " " (RFC 6749, default) or "," for servers that need commas. */
    scopeSeparator: z.enum([' ', ',']).optional(),
    /** Ask sign-ins for offline_access (a refresh token) when the server lists it. Default true. */
    offlineAccess: z.boolean().optional(),
    /** Extra parameters of authorization and device authorization requests (audience, access_type, acr_values, ...). */
    authorizationParams: extraParameters.optional(),
    /** Extra parameters of every token request (audience, ...). */
    tokenParams: extraParameters.optional(),
    /** JWT `typ` values accepted when an access token is checked locally; default ["at+jwt"] (RFC 9068). */
    jwtTypes: z.array(z.string().min(1)).min(1).optional(),
    /** RFC 8707 resource indicator sent with token requests. */
    resource: serverUrl.optional(),
    /** A fixed redirect URI; default: a loopback listener on 127.0.0.1 with an ephemeral port. */
    redirectUri: serverUrl.optional(),
    /** Use pushed authorization requests (RFC 9126) even when the AS does not require them. */
    usePar: z.boolean().optional(),
    /** RFC 7591 initial access token for registering clients on this AS. */
    initialAccessToken: z.string().min(1).optional(),
    /**
     * Origins oauth_call_api may send this provider's tokens to. When set, it replaces "api.allowedOrigins"
     * for this provider, and no other provider's tokens go to these origins.
     */
    apiOrigins: z
      .array(serverUrl)
      .optional()
      .describe("Origins oauth_call_api may send this provider's tokens to"),
    /**
     * HTTP mode: let every user act as this client with its secret (client-credentials tokens, introspecting
     * and revoking tokens they pass in). Default false: users only sign themselves in with it.
     */
    sharedClientCredentials: z.boolean().optional(),
  })
  .strict();

export type ProviderInput = z.infer<typeof providerFields>;
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
    if (!provider.issuer && !provider.metadata?.issuer && !provider.preset) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: `is required (or a "preset": ${PRESETS.join(', ')})`,
      });
    }
  })
  .transform((provider): ProviderConfig => applyPreset(provider))
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

export const configSchema = z
  .object({
    providers: providersSchema.default({}),
    defaultProvider: z.string().optional(),
    store: z
      .object({
        type: z.enum(['auto', 'keychain', 'file', 'memory', 'redis']).default('auto'),
        path: z.string().optional(),
        url: z.string().optional(),
        key: z.string().min(16, 'use a key of at least 16 characters').optional(),
      })
      .strict()
      .default({ type: 'auto' }),
    /** Put raw access/refresh tokens and client secrets in tool output. Default false. */
    exposeTokens: z.boolean().default(false),
    /**
     * `allowedOrigins`: API origins open to the tokens of every provider in this file that has no
     * `apiOrigins` of its own (and of clients registered at their issuers); origins a provider lists in
     * its `apiOrigins` stay that provider's.
     */
    api: z
      .object({
        allowedOrigins: z.array(serverUrl).default([]),
        /** How the API at an origin wants the token, by origin (e.g. "https://api.example.com"). */
        apiAuth: z.record(serverUrl, apiAuthSchema).optional(),
      })
      .strict()
      .default({ allowedOrigins: [] }),
    network: z
      .object({
        /**
         * Let every outbound request reach loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10),
         * link-local (169.254/16, fe80::/10, cloud metadata) and unique-local (fc00::/7) addresses. Default
         * false: only URLs this file names (issuers, API origins, http.auth issuer) may be such addresses;
         * URLs from a model or from an authorization server's answers must resolve to public addresses.
         */
        allowPrivate: z
          .boolean()
          .default(false)
          .describe('Allow outbound requests to loopback, private and link-local addresses for any URL'),
      })
      .strict()
      .default({ allowPrivate: false }),
    http: z
      .object({
        auth: z
          .object({
            issuer: serverUrl,
            /** RFC 8707: tokens must carry this audience; usually `<public-url>/mcp`. */
            audience: z.string().min(1),
            /** Scopes every /mcp request needs (listing tools). Default ["mcp:tools:read"]. */
            requiredScopes: z.array(z.string().min(1)).optional(),
            /** Scopes a tools/call needs on top. Default ["mcp:tools:execute"]. */
            callScopes: z.array(z.string().min(1)).min(1).optional(),
            /**
             * JWT access tokens must have the RFC 9068 header `typ: at+jwt` (default), which keeps ID tokens
             * and other JWTs from passing as access tokens. Some ASes (Keycloak, Okta, Entra) issue
             * `typ: JWT`: list the types to accept, e.g. ["at+jwt", "JWT"]; issuer, audience, expiry and
             * signature are checked either way.
             */
            jwtTypes: z.array(z.string().min(1)).min(1).optional(),
            /** RFC 7662 introspection credentials, for opaque (non-JWT) access tokens. */
            introspection: z.object({ clientId: z.string(), clientSecret: z.string() }).strict().optional(),
          })
          .strict()
          .optional(),
        /** Browser origins allowed to call /mcp besides the public URL's: exact origins, or bare hostnames (any port). */
        allowedOrigins: z.array(z.string()).optional(),
        /**
         * How 2025-era clients are served: "stateful" (default; MCP sessions held in this process, so
         * elicitation and cancellation work) or "stateless" (any instance answers any request: use it
         * behind a load balancer without sticky sessions).
         */
        legacySessions: z.enum(['stateful', 'stateless']).default('stateful'),
        /** Largest request body accepted on /mcp, in bytes. Default 1 MiB. */
        maxBodyBytes: z.number().int().positive().max(16_777_216).default(1_048_576),
      })
      .strict()
      .default({ legacySessions: 'stateful', maxBodyBytes: 1_048_576 }),
    /** Timeout of every request to an authorization server or API, in ms. Default 10 000. */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** Open the system browser for sign-ins when a desktop is available. Default true (never in CI). */
    openBrowser: z.boolean().default(true),
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
  });

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

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'oauth-mcp');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'oauth-mcp');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'oauth-mcp');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'oauth-mcp');
}

/** `${NAME}` in any string is replaced from the environment; a missing variable names the field. */
export function expandEnvReferences(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
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

export interface LoadConfigOptions {
  /** `--config FILE`; else OAUTH_MCP_CONFIG; else the user config dir (missing there is fine). */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
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
    } catch (error) {
      throw new OAuthToolError(
        'not_configured',
        `The config file ${path} is not valid JSON (${(error as Error).message}). Fix the syntax and restart.`,
      );
    }
  }
  return parseConfig(raw, env, path);
}

/** Validates a config object (already read) with env references and the OAUTH_* quick config applied. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'config'): Config {
  const expanded = expandEnvReferences(raw, env) as Record<string, unknown>;
  const fromEnv = providerFromEnv(env);
  if (fromEnv && expanded && typeof expanded === 'object') {
    const providers = {
      ...((expanded.providers as Record<string, unknown> | undefined) ?? {}),
      default: fromEnv,
    };
    expanded.providers = providers;
    expanded.defaultProvider ??= 'default';
  }
  const result = configSchema.safeParse(expanded);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const [section, name, field] = issue.path.map(String);
      const variable =
        fromEnv && section === 'providers' && name === 'default' && field
          ? QUICK_CONFIG_VARIABLES[field]
          : undefined;
      return variable
        ? `- ${variable} (environment): ${issue.message}`
        : `- ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    });
    const where = existsSync(source) || !fromEnv ? source : 'the OAUTH_* environment variables';
    throw new OAuthToolError('not_configured', `Invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  return result.data;
}

function configError(path: string[], message: string): OAuthToolError {
  return new OAuthToolError(
    'not_configured',
    `Invalid configuration: ${path.join('.') || '(root)'} ${message}`,
  );
}
