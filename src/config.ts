// The config file's zod schema, the OAUTH_* quick config, ${VAR} references, and where the file lives.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { OAuthToolError } from './auth/errors.js';
import { urlProblem } from './auth/network-policy.js';
import { privateKeyProblem } from './auth/private-key.js';

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

export const providerSchema = z
  .object({
    issuer: serverUrl.describe('The authorization server issuer URL'),
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
    /** RFC 8707 resource indicator sent with token requests. */
    resource: serverUrl.optional(),
    /** A fixed redirect URI; default: a loopback listener on 127.0.0.1 with an ephemeral port. */
    redirectUri: serverUrl.optional(),
    /** Use pushed authorization requests (RFC 9126) even when the AS does not require them. */
    usePar: z.boolean().optional(),
    /** RFC 7591 initial access token for registering clients on this AS. */
    initialAccessToken: z.string().min(1).optional(),
    /**
     * HTTP mode: let every user act as this client with its secret (client-credentials tokens, introspecting
     * and revoking tokens they pass in). Default false: users only sign themselves in with it.
     */
    sharedClientCredentials: z.boolean().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    providers: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . -'), providerSchema)
      .default({}),
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
    api: z
      .object({
        allowedOrigins: z.array(serverUrl).default([]),
        /** How the API at an origin wants the token, by origin (e.g. "https://api.example.com"). */
        apiAuth: z.record(serverUrl, apiAuthSchema).optional(),
      })
      .strict()
      .default({ allowedOrigins: [] }),
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
    if (config.defaultProvider && !(config.defaultProvider in config.providers)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultProvider'],
        message: `names provider "${config.defaultProvider}", which is not in "providers" (${Object.keys(config.providers).join(', ') || 'none configured'})`,
      });
    }
  });

export type ProviderConfig = z.infer<typeof providerSchema>;
export type Config = z.infer<typeof configSchema>;

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

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.OAUTH_MCP_CONFIG;
  const path = explicit ?? join(configDir(env), 'config.json');
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
    const lines = result.error.issues.map(
      (issue) => `- ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new OAuthToolError('not_configured', `Invalid configuration in ${source}:\n${lines.join('\n')}`);
  }
  return result.data;
}

function configError(path: string[], message: string): OAuthToolError {
  return new OAuthToolError(
    'not_configured',
    `Invalid configuration: ${path.join('.') || '(root)'} ${message}`,
  );
}
