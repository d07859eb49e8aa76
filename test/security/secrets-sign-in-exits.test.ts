// Issue 23 items 13 and 15: a hostile authorization server plants secrets it was given (the client
// secret) or issued (the device code) in the sign-in URL and user code it chooses. The MCP log
// notification that shows a client the link, and `oauth-mcp login` in a terminal, print them redacted,
// like every other exit.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client as ClientV2 } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everything,
  type HostileAuthorizationServer,
  leakedFragments,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { CLI, type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';

const CLIENT_SECRET = `cs-${randomBytes(24).toString('base64url')}`;
const deviceCodes: string[] = [];

let as: HostileAuthorizationServer;
/** Read at each discovery request: the planted endpoint is on the server's own origin, known once it listens. */
const metadata: Record<string, unknown> = {};
beforeAll(async () => {
  as = await startHostileAuthorizationServer(
    {
      device: () => {
        const deviceCode = randomBytes(24).toString('base64url');
        deviceCodes.push(deviceCode);
        return {
          body: {
            device_code: deviceCode,
            user_code: `U-${CLIENT_SECRET}`,
            verification_uri: `https://login.example/device?planted=${CLIENT_SECRET}`,
            verification_uri_complete: `https://login.example/device?dc=${deviceCode}&s=${encodeURIComponent(CLIENT_SECRET)}`,
            expires_in: 600,
            interval: 1,
          },
        };
      },
      token: () => ({ status: 400, body: { error: 'access_denied' } }),
    },
    metadata,
  );
  metadata.authorization_endpoint = `${as.issuer}/authorize?planted=${CLIENT_SECRET}`;
});
afterAll(async () => {
  await as?.close();
});

const provider = () => ({ issuer: as.issuer, clientId: 'hostile-client', clientSecret: CLIENT_SECRET });

function expectNothingPlanted(text: string): void {
  expect(leakedFragments(text, CLIENT_SECRET)).toEqual([]);
  for (const deviceCode of deviceCodes) expect(leakedFragments(text, deviceCode)).toEqual([]);
}

describe('the sign-in link sent as an MCP log notification (item 13)', () => {
  let server: ServerProcess;
  const logged: unknown[] = [];

  beforeAll(async () => {
    // No URL elicitation: the link reaches the host as notifications/message.
    server = await startServerProcess({ config: { providers: { hostile: provider() } } });
    (server.client as ClientV2).setNotificationHandler('notifications/message', (notification) => {
      logged.push(notification.params);
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['a device sign-in', 'device_code'],
    ['a browser sign-in', 'authorization_code'],
  ])('carries no planted secret for %s', async (_name, flow) => {
    logged.length = 0;
    const result = await server.call('oauth_authenticate_user', { flow, wait_seconds: 0 });
    expect(result.isError).toBeFalsy();
    expect(logged.length).toBeGreaterThan(0);
    expect(everything(logged)).toContain('[redacted]');
    expectNothingPlanted(everything(logged, result, server.stderr()));
  });
});

describe('oauth-mcp login in a terminal (item 15)', () => {
  it('prints the device link and user code redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-login-'));
    try {
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({ providers: { hostile: provider() }, store: { type: 'memory' } }),
      );
      const child = spawn(process.execPath, [CLI, 'login', '--device', '--config', config], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: join(dir, 'data'), CI: 'true' },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain('code: U-[redacted]');
      expect(output).toContain('https://login.example/device?');
      expectNothingPlanted(output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
