// Minimal typings for the parts of oidc-provider 9 that the demo server uses (the package ships none).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type Configuration = Record<string, unknown>;
  export type ClientMetadata = Record<string, unknown> & { client_id: string };

  export interface KoaContextWithOIDC {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    status: number;
    type: string;
    body: unknown;
    oidc?: {
      body?: Record<string, unknown>;
      params?: Record<string, unknown>;
      client?: Client;
    };
  }

  export interface Client {
    clientId: string;
    applicationType: string;
    clientAuthMethod: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface ResourceServer {
    scope: string;
    accessTokenFormat?: 'jwt' | 'opaque';
    audience?: string;
    accessTokenTTL?: number;
    identifier(): string;
  }

  interface Model {
    save(): Promise<string>;
  }

  export interface Grant extends Model {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
  }

  export interface AccessToken extends Model {
    readonly format?: 'jwt' | 'opaque';
  }

  export interface ResourceServerInfo {
    scope: string;
    accessTokenFormat?: 'jwt' | 'opaque';
    audience?: string;
    accessTokenTTL?: number;
  }

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    status: number;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => OIDCProviderError;
    InvalidScope: new (description?: string, scope?: string) => OIDCProviderError;
    InvalidRequest: new (description?: string) => OIDCProviderError;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => Grant;
    readonly AccessToken: new (init: {
      accountId: string;
      client: Client;
      grantId: string;
      scope?: string;
      resourceServer?: ResourceServer;
      gty?: string;
    }) => AccessToken;
    readonly ResourceServer: new (
      identifier: string,
      info: ResourceServerInfo,
    ) => ResourceServer;
  }
}
