// The demo authorization server's built-in clients and resource servers (fake, well-known credentials).
import type { ClientMetadata } from 'oidc-provider';

/** Registered redirect URI of every demo client; any loopback port is accepted (RFC 8252 section 7.3). */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1/callback';

/** The default protected resource (RFC 8707 resource indicator) of the demo server. */
export const DEMO_RESOURCE = 'http://127.0.0.1/demo-api';

/**
 * Client ids and secrets of the demo clients. The secrets are deliberately fixed and obviously fake:
 * the demo server only ever listens on loopback.
 */
export const DEMO_CLIENTS = {
  confidential: { clientId: 'demo-confidential', clientSecret: 'demo-confidential-secret-NOT-A-REAL-SECRET' },
  confidentialPost: {
    clientId: 'demo-confidential-post',
    clientSecret: 'demo-confidential-post-secret-NOT-A-REAL-SECRET',
  },
  public: { clientId: 'demo-public' },
} as const;

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'openid profile email offline_access api:read api:write';

/**
 * application_type 'native' is what makes oidc-provider accept a loopback redirect URI on any port;
 * it places no restriction on client authentication, so the confidential clients are native too.
 */
export function demoClientMetadata(): ClientMetadata[] {
  const common = {
    application_type: 'native',
    redirect_uris: [DEMO_REDIRECT_URI],
    response_types: ['code'],
    scope: SCOPE,
  };
  return [
    {
      ...common,
      client_id: DEMO_CLIENTS.confidential.clientId,
      client_secret: DEMO_CLIENTS.confidential.clientSecret,
      client_name: 'oauth-mcp demo (confidential)',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token', DEVICE_CODE],
    },
    {
      ...common,
      client_id: DEMO_CLIENTS.confidentialPost.clientId,
      client_secret: DEMO_CLIENTS.confidentialPost.clientSecret,
      client_name: 'oauth-mcp demo (confidential, client_secret_post)',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token', DEVICE_CODE],
    },
    {
      ...common,
      client_id: DEMO_CLIENTS.public.clientId,
      client_name: 'oauth-mcp demo (public)',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE],
    },
  ];
}
