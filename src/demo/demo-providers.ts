// The providers that point at a demo authorization server: "demo" (confidential) and "demo-public".

import type { ProviderConfig } from '../config/index.js';
import { DEMO_CLIENTS } from './demo-clients.js';

const SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export function demoProviders(issuer: string): Record<string, ProviderConfig> {
  return {
    demo: {
      issuer,
      clientId: DEMO_CLIENTS.confidential.clientId,
      clientSecret: DEMO_CLIENTS.confidential.clientSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      scopes: SCOPES,
    },
    'demo-public': {
      issuer,
      clientId: DEMO_CLIENTS.public.clientId,
      tokenEndpointAuthMethod: 'none',
      scopes: SCOPES,
    },
  };
}
