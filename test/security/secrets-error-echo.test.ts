// Issue 10 item 10: an authorization server that echoes the client secret, a refresh token or a device
// code in its error_description. The error still says what happened, but the secret is redacted in the
// tool's text, its structured content and on stderr.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everything,
  type HostileAuthorizationServer,
  leakedFragments,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type ServerProcess, startServerProcess, type ToolResult } from '../helpers/mcp-server-process.js';

/** From the environment through the config's ${VAR}; "/" and "+" so escaping matters. */
const CLIENT_SECRET = `cs/${randomBytes(18).toString('base64')}+end`;

describe('an authorization server that echoes secrets in its errors', () => {
  let as: HostileAuthorizationServer;
  let server: ServerProcess;
  let echoClientSecret = false;
  const issued = { refreshToken: '', deviceCode: '' };

  beforeAll(async () => {
    as = await startHostileAuthorizationServer({
      token: ({ form, basicSecret }) => {
        const grant = form.get('grant_type');
        if (grant === 'client_credentials' && echoClientSecret) {
          return {
            status: 401,
            body: {
              error: 'invalid_client',
              error_description: `client authentication failed: "${basicSecret}" (escaped: ${JSON.stringify(basicSecret).replace(/\//g, '\\/')}) is not the secret`,
            },
          };
        }
        if (grant === 'client_credentials') {
          issued.refreshToken = `rt-${randomBytes(24).toString('base64url')}`;
          return {
            body: {
              access_token: `at-${randomBytes(24).toString('base64url')}`,
              refresh_token: issued.refreshToken,
              token_type: 'Bearer',
              expires_in: 3600,
            },
          };
        }
        if (grant === 'refresh_token') {
          return {
            status: 400,
            body: {
              error: 'invalid_grant',
              error_description: `refresh_token ${form.get('refresh_token')} was revoked`,
            },
          };
        }
        return {
          status: 400,
          body: {
            error: 'invalid_request',
            error_description: `device code ${form.get('device_code')} is not known here (client secret ${basicSecret})`,
          },
        };
      },
      device: () => {
        issued.deviceCode = `dc-${randomBytes(24).toString('base64url')}`;
        return {
          body: {
            device_code: issued.deviceCode,
            user_code: 'WDJB-MJHT',
            verification_uri: 'https://login.example/device',
            expires_in: 600,
            interval: 1,
          },
        };
      },
    });
    server = await startServerProcess({
      config: {
        providers: {
          hostile: { issuer: as.issuer, clientId: 'machine', clientSecret: '${HOSTILE_CLIENT_SECRET}' },
        },
      },
      env: { HOSTILE_CLIENT_SECRET: CLIENT_SECRET, OAUTH_MCP_LOG_LEVEL: 'debug' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  /** The AS's error is kept, with the secret redacted in every byte returned and logged. */
  function expectRedactedEcho(result: ToolResult, oauthError: string, secret: string) {
    expect(result.isError).toBe(true);
    const error = result.structuredContent.error;
    expect(error.oauth_error).toBe(oauthError);
    expect(error.oauth_error_description).toContain('[redacted]');
    expect(result.content[0]?.text).toContain('[redacted]');
    expect(leakedFragments(everything(result), secret)).toEqual([]);
    expect(leakedFragments(server.stderr(), secret)).toEqual([]);
  }

  it('redacts the client secret (from the environment) echoed by the token endpoint', async () => {
    echoClientSecret = true;
    const result = await server.call('oauth_client_credentials', { force_new: true });
    echoClientSecret = false;
    expect(as.requests.at(-1)?.authorization).toMatch(/^Basic /);
    expectRedactedEcho(result, 'invalid_client', CLIENT_SECRET);
  });

  it('redacts a refresh token echoed when the refresh is refused', async () => {
    const machine = await server.call('oauth_client_credentials', { force_new: true });
    expect(machine.isError).toBeFalsy();
    const result = await server.call('oauth_refresh_token', {
      session_id: machine.structuredContent.session.session_id,
    });
    expect(as.requests.at(-1)?.body).toContain('grant_type=refresh_token');
    expectRedactedEcho(result, 'invalid_grant', issued.refreshToken);
  });

  it('redacts the device code (and the client secret) echoed while polling a device sign-in', async () => {
    // with no browser and no URL elicitation the first call returns the code at once; continuing polls
    const started = await server.call('oauth_authenticate_user', { flow: 'device_code' });
    expect(started.structuredContent.status).toBe('pending');
    const result = await server.call('oauth_authenticate_user', {
      flow_id: started.structuredContent.flow_id,
      wait_seconds: 5,
    });
    expect(as.requests.some((r) => r.body.includes('device_code='))).toBe(true);
    expectRedactedEcho(result, 'invalid_request', issued.deviceCode);
    expect(leakedFragments(everything(result, server.stderr()), CLIENT_SECRET)).toEqual([]);
  });
});
