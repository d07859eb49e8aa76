// The device-flow mix-up (issue 23 item 7): two configured servers on 127.0.0.1, a real oidc-provider and
// a hostile one whose discovery document names the real server's device authorization endpoint. The real
// server's device code must never reach the hostile server's token endpoint: endpoints learned from
// discovery stay on the issuer's origin unless the config writes them.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDiscoveredEndpoints } from '../../src/auth/provider/endpoint-origins.js';
import { parseConfig } from '../../src/config/index.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import {
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

const as = useAuthorizationServer();

describe('a discovery document that names another server’s device authorization endpoint', () => {
  let hostile: HostileAuthorizationServer;
  let server: InProcessServer;
  let realDeviceEndpoint: string;

  beforeAll(async () => {
    const document = (await (await fetch(`${as.issuer}/.well-known/openid-configuration`)).json()) as {
      device_authorization_endpoint: string;
    };
    realDeviceEndpoint = document.device_authorization_endpoint;
    hostile = await startHostileAuthorizationServer(
      {
        token: () => ({ status: 400, body: { error: 'authorization_pending' } }),
      },
      { device_authorization_endpoint: realDeviceEndpoint },
    );
    const publicClient = { clientId: as().clients.public.clientId };
    server = await startInProcess({
      providers: {
        real: { issuer: as.issuer, ...publicClient },
        mixed: { issuer: hostile.issuer, ...publicClient },
        explicit: {
          issuer: hostile.issuer,
          ...publicClient,
          metadata: { device_authorization_endpoint: realDeviceEndpoint },
        },
      },
      defaultProvider: 'real',
    });
  });
  afterAll(async () => {
    await server?.close();
    await hostile?.close();
  });

  it('refuses the device flow before the real server issues a code, so no device code reaches the hostile token endpoint', async () => {
    as().resetCounts();
    const result = await server.call('oauth_authenticate_user', {
      provider: 'mixed',
      flow: 'device_code',
      wait_seconds: 2,
    });
    const error = toolError(result);
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain(`device_authorization_endpoint ${realDeviceEndpoint}`);
    expect(error.message).toContain(`"metadata": {"device_authorization_endpoint":"${realDeviceEndpoint}"}`);
    expect(as().counts()[`POST ${new URL(realDeviceEndpoint).pathname}`]).toBeUndefined();
    expect(hostile.requests.filter((request) => request.path === '/token')).toEqual([]);
  });

  it('refuses a registration through that document: no endpoint of it gets the initial access token', async () => {
    const error = toolError(
      await server.call('oauth_register_client', {
        provider: 'mixed',
        initial_access_token: 'iat-Zq8vN3xKpW-mixup',
      }),
    );
    expect(error.message).toContain(`device_authorization_endpoint ${realDeviceEndpoint}`);
    expect(hostile.requests.filter((request) => request.path === '/register')).toEqual([]);
  });

  it('still signs in at the real server with its own endpoints', async () => {
    const result = await server.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 0 });
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'pending', provider: 'real' });
  });

  it('uses an endpoint on another origin when the config writes it (the operator vouches for it)', async () => {
    const result = await server.call('oauth_authenticate_user', {
      provider: 'explicit',
      flow: 'device_code',
      wait_seconds: 0,
    });
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'pending', provider: 'explicit' });
  });
});

describe('the presets write the endpoints their servers publish off the issuer’s origin', () => {
  const recorded = (name: string) =>
    JSON.parse(readFileSync(new URL(`../fixtures/providers/${name}.json`, import.meta.url), 'utf8'));
  const settings = (provider: Record<string, unknown>) => {
    const config = parseConfig({ providers: { p: { clientId: 'c', ...provider } } }, {});
    if (!config.providers.p) throw new Error('no provider');
    return config.providers.p;
  };

  it.each([
    ['google', {}],
    ['microsoft-entra', { tenant: '9188040d-6c67-4c5b-b112-36a304b66dad' }],
    ['keycloak', { domain: 'sso.example.com', realm: 'demo' }],
    ['okta', { domain: 'dev-000000.okta.com' }],
    ['auth0', { domain: 'dev-example.us.auth0.com' }],
  ])('%s: its recorded discovery document passes', (preset, fields) => {
    const document = recorded(preset);
    expect(() =>
      checkDiscoveredEndpoints(settings({ preset, ...fields }), {
        issuer: document.issuer,
        metadata: document,
      }),
    ).not.toThrow();
  });

  it("refuses Google's recorded document for a provider that does not name Google's endpoints", () => {
    const document = recorded('google');
    expect(() =>
      checkDiscoveredEndpoints(settings({ issuer: document.issuer }), {
        issuer: document.issuer,
        metadata: document,
      }),
    ).toThrow(/token_endpoint https:\/\/oauth2\.googleapis\.com\/token/);
  });
});
