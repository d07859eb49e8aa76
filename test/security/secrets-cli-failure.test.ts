// A people's command that fails on an authorization server's error: the terminal gets the error and the
// command to run next, never the client secret the server echoed back in its error_description.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostileAuthorizationServer,
  leakedFragments,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { CLI } from '../helpers/mcp-server-process.js';

/** From the environment through the config's ${VAR}; "/" and "+" so escaping matters. */
const CLIENT_SECRET = `cs/${randomBytes(18).toString('base64')}+end`;

describe('a failed people command and a server that echoes the client secret', () => {
  let as: HostileAuthorizationServer;
  let dir: string;

  beforeAll(async () => {
    as = await startHostileAuthorizationServer({
      device: ({ basicSecret }) => ({
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: `client authentication failed: "${basicSecret}" is not the secret`,
        },
      }),
    });
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-cli-echo-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        providers: {
          hostile: { issuer: as.issuer, clientId: 'machine', clientSecret: '${HOSTILE_CLIENT_SECRET}' },
        },
        store: { type: 'memory' },
      }),
    );
  });
  afterAll(async () => {
    await as?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the error with the secret redacted and exits 1', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'login', 'hostile', '--device', '--config', join(dir, 'config.json')],
      {
        env: { PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', HOSTILE_CLIENT_SECRET: CLIENT_SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const status = await new Promise((resolve) => child.on('close', resolve));

    expect(as.requests.at(-1)?.authorization).toMatch(/^Basic /);
    expect(status).toBe(1);
    expect(output).toContain('invalid_client');
    expect(output).toContain('[redacted]');
    expect(leakedFragments(output, CLIENT_SECRET)).toEqual([]);
  });
});
