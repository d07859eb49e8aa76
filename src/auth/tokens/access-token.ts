// The bearer tokens presented to HTTP mode's /mcp, checked without MCP: RFC 9068 JWTs against the AS's JWKS,
// opaque ones by RFC 7662 introspection (cached, bounded). The audience must be this server (RFC 8707); the
// principal is `iss` + `sub`. http/token-verifier.ts adapts the answer to the SDK's verifier.

import { hash } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { principalFromClaims } from '../principal.js';
import { jwksFetchedAt, remoteJwks, sameMediaType } from '../provider/jwks.js';
import type { ProviderRegistry } from '../provider/registry.js';
import { applyTransport } from '../provider/transport.js';

type HttpAuth = NonNullable<Config['http']['auth']>;

/** A verified access token: who presented it, for which client, with which scopes, until when (seconds). */
export interface VerifiedAccessToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
  principal: string;
  iss: string;
  sub: string;
}

/** Why a token was not accepted: `invalid_token` (refused, RFC 6750 3.1) or `server_error` (could not be checked). */
export class AccessTokenRefused extends Error {
  constructor(
    readonly code: 'invalid_token' | 'server_error',
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenRefused';
  }
}

/**
 * Verified tokens (JWT signature checks and introspection answers) are remembered until they expire,
 * at most this long, so a token revoked at the AS stops working soon after; keyed by the token's hash.
 */
const VERIFIED_CACHE_MAX_MS = 5 * 60_000;
const VERIFIED_CACHE_ENTRIES = 10_000;

export interface AccessTokenVerifierOptions {
  auth: HttpAuth;
  registry: ProviderRegistry;
  logger: Logger;
  timeoutMs: number;
}

export class AccessTokenVerifier {
  readonly #options: AccessTokenVerifierOptions;
  /** `keysAt`: the JWKS fetch a JWT was verified against; a refetched set (rotation) voids the entry. */
  readonly #cache = new Map<
    string,
    { info: VerifiedAccessToken; until: number; jwt: boolean; keysAt: number | undefined }
  >();
  /** The issuer's jwks_uri, once a JWT was verified against it (discovery is kept for the process). */
  #jwksUri: string | undefined;
  #introspection: Promise<client.Configuration> | undefined;

  constructor(options: AccessTokenVerifierOptions) {
    this.#options = options;
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const remembered = this.remembered(token);
    if (remembered) return remembered;

    const isJwt = token.split('.').length === 3;
    let info: VerifiedAccessToken;
    if (isJwt) info = await this.#verifyJwt(token);
    else if (this.#options.auth.introspection) info = await this.#introspect(token);
    else
      throw invalid(
        'The access token is not a JWT and this server has no introspection credentials to check it.',
      );

    if (this.#cache.size >= VERIFIED_CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    const until = Math.min((info.expiresAt ?? 0) * 1000, Date.now() + VERIFIED_CACHE_MAX_MS);
    this.#cache.set(cacheKey(token), { info, until, jwt: isJwt, keysAt: isJwt ? this.#keysAt() : undefined });
    return info;
  }

  /**
   * The answer of an earlier verify() while it holds (before the token's expiry, at most five minutes, and
   * for a JWT only while the issuer's keys were not refetched), else undefined; synchronous, so the bearer
   * gate answers a remembered token without a promise.
   */
  remembered(token: string): VerifiedAccessToken | undefined {
    const key = cacheKey(token);
    const cached = this.#cache.get(key);
    if (!cached) return undefined;
    if (cached.until > Date.now() && (!cached.jwt || cached.keysAt === this.#keysAt())) return cached.info;
    this.#cache.delete(key);
    return undefined;
  }

  #keysAt(): number | undefined {
    return this.#jwksUri === undefined
      ? undefined
      : jwksFetchedAt(this.#jwksUri, this.#options.registry.fetch);
  }

  async #verifyJwt(token: string): Promise<VerifiedAccessToken> {
    const { auth, registry, timeoutMs } = this.#options;
    const metadata = await this.#metadata(registry);
    if (!metadata.jwks_uri) throw serverError(`${auth.issuer} publishes no jwks_uri to check JWTs with`);
    let payload: Record<string, unknown>;
    let typ: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { typ },
      } = await jwtVerify(token, remoteJwks(metadata.jwks_uri, timeoutMs, registry.fetch), {
        issuer: metadata.issuer,
        audience: auth.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError && !keySetUnavailable(error)) {
        throw invalid(`The access token was refused: ${error.message}.`);
      }
      throw serverError(`cannot check the token against ${metadata.jwks_uri}: ${(error as Error).message}`);
    }
    this.#jwksUri = metadata.jwks_uri;
    const accepted = auth.jwtTypes ?? ['at+jwt'];
    if (!accepted.some((type) => sameMediaType(type, typ))) {
      throw invalid(
        `The access token's JWT type is ${typ ? `"${typ}"` : 'missing'}, not ${accepted.map((t) => `"${t}"`).join(' or ')} (RFC 9068). If your authorization server issues such access tokens, list the type in http.auth.jwtTypes.`,
      );
    }
    return verified(payload, metadata.issuer);
  }

  async #introspect(token: string): Promise<VerifiedAccessToken> {
    const { auth } = this.#options;
    let claims: client.IntrospectionResponse;
    try {
      claims = await client.tokenIntrospection(await this.#introspectionConfiguration(), token);
    } catch (error) {
      throw serverError(`token introspection at ${auth.issuer} failed: ${(error as Error).message}`);
    }
    if (!claims.active) throw invalid('The access token is not active (expired, revoked or unknown).');
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    if (!audiences.includes(auth.audience)) {
      throw invalid(`The access token was issued for another audience, not ${auth.audience}.`);
    }
    const issuer = (await this.#metadata(this.#options.registry)).issuer;
    if (claims.iss !== undefined && claims.iss !== issuer)
      throw invalid('The access token has another issuer.');
    if (typeof claims.exp !== 'number') throw invalid('The introspection answer has no exp.');
    return verified(claims as Record<string, unknown>, issuer);
  }

  #introspectionConfiguration(): Promise<client.Configuration> {
    this.#introspection ??= (async () => {
      const { auth, registry, timeoutMs } = this.#options;
      const credentials = auth.introspection as NonNullable<HttpAuth['introspection']>;
      const metadata = await this.#metadata(registry);
      if (!metadata.introspection_endpoint) {
        throw serverError(`${auth.issuer} publishes no introspection_endpoint`);
      }
      const configuration = new client.Configuration(
        metadata,
        credentials.clientId,
        undefined,
        client.ClientSecretBasic(credentials.clientSecret),
      );
      configuration.timeout = Math.ceil(timeoutMs / 1000);
      applyTransport(client, configuration, registry.outboundFetch());
      return configuration;
    })();
    this.#introspection.catch(() => {
      this.#introspection = undefined;
    });
    return this.#introspection;
  }

  async #metadata(registry: ProviderRegistry): Promise<client.ServerMetadata> {
    try {
      return (await registry.discover(this.#options.auth.issuer)).metadata;
    } catch (error) {
      throw serverError(`cannot discover ${this.#options.auth.issuer}: ${(error as Error).message}`);
    }
  }
}

/**
 * jose's errors that say the key set could not be had (no answer in time, an answer other than 200 or not
 * JSON, or not a key set): the authorization server's fault, not the token's.
 */
function keySetUnavailable(error: joseErrors.JOSEError): boolean {
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    error.code === joseErrors.JOSEError.code
  );
}

function cacheKey(token: string): string {
  return hash('sha256', token, 'base64url');
}

function verified(claims: Record<string, unknown>, issuer: string): VerifiedAccessToken {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw invalid('The access token names no subject (sub).');
  const iss = typeof claims.iss === 'string' ? claims.iss : issuer;
  const scopes =
    typeof claims.scope === 'string'
      ? claims.scope.split(' ').filter(Boolean)
      : Array.isArray(claims.scp)
        ? claims.scp.filter((s): s is string => typeof s === 'string')
        : [];
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : String(claims.azp ?? '');
  return {
    clientId,
    scopes,
    expiresAt: claims.exp as number,
    principal: principalFromClaims(iss, sub),
    iss,
    sub,
  };
}

function invalid(message: string): AccessTokenRefused {
  return new AccessTokenRefused('invalid_token', message);
}

function serverError(message: string): AccessTokenRefused {
  return new AccessTokenRefused('server_error', message);
}
