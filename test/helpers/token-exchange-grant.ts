// RFC 8693 token exchange (and Entra's on-behalf-of JWT bearer variant) added to the real oidc-provider of a
// test with provider.registerGrantType: subject tokens are checked as the server issued them (opaque ones in
// its store, JWTs against its JWKS), each target names its scope, and every request is recorded for assertions.

import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { errors } from 'oidc-provider';
import type { RunningAuthorizationServer } from '../../src/demo/authorization-server.js';
import { rsaKey, type TestKey } from '../diagnostics/keys.js';

/** Not in the demo server's minimal typings of oidc-provider. */
const { InvalidGrant } = errors as unknown as { InvalidGrant: new (description: string) => Error };

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TYPE = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/** The exchanging client: confidential, allowed token exchange and JWT bearer besides the usual grants. */
export const EXCHANGER = { clientId: 'exchanger', clientSecret: 'exchanger-secret-NOT-A-REAL-SECRET' };

/** A service a token may be exchanged for: by audience name or resource URI, with the scopes it accepts. */
export interface ExchangeTarget {
  scope: string;
  /** jwt (default): a signed JWT with `act`; opaque: a token in the server's store (introspectable, revocable). */
  format?: 'jwt' | 'opaque';
}

/** What reached the grant: every parameter as sent, and who the subject and actor turned out to be. */
export interface ObservedExchange {
  grant_type: string;
  client_id: string;
  params: Record<string, string | string[] | undefined>;
  subject?: string;
  actor?: string;
}

export interface ExchangeGrant {
  /** Every exchange request the server received, in order. */
  requests: ObservedExchange[];
  /** The key exchanged JWTs are signed with (published in the server's JWKS). */
  key: TestKey;
}

/** The options of useAuthorizationServer that this grant needs: its signing key and the exchanging client. */
export function exchangeServerOptions(key: TestKey = rsaKey(`exchange-${Date.now()}`)) {
  return {
    extraKeys: [key.jwk],
    scopes: ['orders:read', 'orders:write'],
    clients: [
      {
        client_id: EXCHANGER.clientId,
        client_secret: EXCHANGER.clientSecret,
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          TOKEN_EXCHANGE,
          JWT_BEARER,
        ],
        scope: 'openid profile email offline_access api:read api:write orders:read orders:write',
      },
    ],
    key,
  };
}

interface ProviderModels {
  AccessToken: {
    find(
      value: string,
    ): Promise<{ accountId?: string; scope?: string; clientId: string; isExpired: boolean } | undefined>;
    new (init: Record<string, unknown>): { save(): Promise<string>; expiration: number; scope?: string };
  };
  ClientCredentials: { find(value: string): Promise<{ clientId: string; isExpired: boolean } | undefined> };
  Grant: new (init: {
    accountId: string;
    clientId: string;
  }) => {
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  };
  ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
  registerGrantType(
    name: string,
    handler: (ctx: GrantContext) => Promise<void>,
    params: string[],
    dupes?: string[],
  ): void;
}

interface GrantContext {
  oidc: { params: Record<string, string | string[] | undefined>; client: { clientId: string } };
  body: unknown;
}

/**
 * Registers both grants on `as` (call before its first request, so the exchanging client's grant types are
 * known when it loads). `targets` are the audiences and resources it will issue tokens for.
 */
export function registerExchangeGrants(
  as: RunningAuthorizationServer,
  key: TestKey,
  targets: Record<string, ExchangeTarget>,
): ExchangeGrant {
  const provider = as.provider as unknown as ProviderModels;
  const jwks = createRemoteJWKSet(new URL(`${as.issuer}/jwks`));
  const requests: ObservedExchange[] = [];

  const subjectOf = async (token: string, type: string): Promise<string> => {
    if (type === TYPE.access_token) {
      const opaque = await provider.AccessToken.find(token);
      if (opaque?.accountId && !opaque.isExpired) return opaque.accountId;
    }
    if (type === TYPE.access_token || type === TYPE.id_token || type === TYPE.jwt) {
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer: as.issuer });
        if (typeof payload.sub === 'string') return payload.sub;
      } catch {
        // not a valid JWT of this server
      }
    }
    throw new InvalidGrant('subject token is invalid, expired or of another type');
  };

  const issue = async (ctx: GrantContext, sub: string, target: string, actor?: string) => {
    const wanted = targets[target];
    if (!wanted) throw new errors.InvalidTarget(`unknown target ${target}`);
    const allowed = new Set(wanted.scope.split(' '));
    const requested =
      typeof ctx.oidc.params.scope === 'string' ? ctx.oidc.params.scope.split(' ') : [...allowed];
    if (requested.some((s) => !allowed.has(s))) {
      throw new errors.InvalidScope('scope exceeds what the target accepts', requested.join(' '));
    }
    const granted = requested;
    const clientId = ctx.oidc.client.clientId;
    if (wanted.format === 'opaque') {
      const grant = new provider.Grant({ accountId: sub, clientId });
      grant.addResourceScope(target, wanted.scope);
      const token = new provider.AccessToken({
        accountId: sub,
        client: ctx.oidc.client,
        grantId: await grant.save(),
        scope: granted.join(' '),
        gty: 'token_exchange',
        resourceServer: new provider.ResourceServer(target, {
          scope: wanted.scope,
          accessTokenFormat: 'opaque',
        }),
      });
      const value = await token.save();
      return { access_token: value, expires_in: token.expiration, scope: granted.join(' ') };
    }
    const now = Math.floor(Date.now() / 1000);
    const value = await new SignJWT({
      scope: granted.join(' '),
      client_id: clientId,
      ...(actor ? { act: { sub: actor } } : {}),
      may_act: { sub: clientId },
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(as.issuer)
      .setSubject(sub)
      .setAudience(target)
      .setIssuedAt(now)
      .setJti(`x-${now}-${Math.random()}`)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
    return { access_token: value, expires_in: 600, scope: granted.join(' ') };
  };

  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const p = ctx.oidc.params;
      requests.push({ grant_type: TOKEN_EXCHANGE, client_id: ctx.oidc.client.clientId, params: { ...p } });
      const subjectToken = p.subject_token;
      const subjectType = p.subject_token_type;
      if (typeof subjectToken !== 'string' || typeof subjectType !== 'string') {
        throw new errors.InvalidRequest('subject_token and subject_token_type are required');
      }
      const requestedType =
        typeof p.requested_token_type === 'string' ? p.requested_token_type : TYPE.access_token;
      if (requestedType !== TYPE.access_token && requestedType !== TYPE.jwt) {
        throw new errors.InvalidRequest(`requested_token_type ${requestedType} is not issued here`);
      }
      const subject = await subjectOf(subjectToken, subjectType);
      let actor: string | undefined;
      if (typeof p.actor_token === 'string') {
        const machine = await provider.ClientCredentials.find(p.actor_token);
        if (!machine || machine.isExpired || p.actor_token_type !== TYPE.access_token) {
          throw new errors.InvalidRequest('actor_token is invalid');
        }
        actor = machine.clientId;
      }
      const observed = requests.at(-1) as ObservedExchange;
      observed.subject = subject;
      if (actor) observed.actor = actor;
      const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());
      const wanted = [...list(p.audience), ...list(p.resource)];
      if (wanted.length !== 1)
        throw new errors.InvalidTarget('exactly one audience or resource is supported here');
      const issued = await issue(ctx, subject, wanted[0] as string, actor);
      ctx.body = { ...issued, token_type: 'Bearer', issued_token_type: requestedType };
    },
    [
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'audience',
      'resource',
      'scope',
    ],
    ['audience', 'resource'],
  );

  // Microsoft Entra's on-behalf-of flow: RFC 7523 JWT bearer with requested_token_use=on_behalf_of, target in scope.
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const p = ctx.oidc.params;
      requests.push({ grant_type: JWT_BEARER, client_id: ctx.oidc.client.clientId, params: { ...p } });
      if (p.requested_token_use !== 'on_behalf_of' || typeof p.assertion !== 'string') {
        throw new errors.InvalidRequest('assertion and requested_token_use=on_behalf_of are required');
      }
      const subject = await subjectOf(p.assertion, TYPE.jwt);
      (requests.at(-1) as ObservedExchange).subject = subject;
      const scope = typeof p.scope === 'string' ? p.scope : '';
      const target = Object.keys(targets).find((t) =>
        scope.split(' ').some((s) => targets[t]?.scope.split(' ').includes(s)),
      );
      if (!target) throw new errors.InvalidScope('no scope of a known target', scope);
      const issued = await issue(ctx, subject, target);
      ctx.body = { ...issued, token_type: 'Bearer' };
    },
    ['assertion', 'requested_token_use', 'scope'],
  );
  return { requests, key };
}
