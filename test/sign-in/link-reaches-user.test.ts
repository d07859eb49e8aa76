// The sign-in link must reach the user: with no browser and no URL elicitation the tool answers "pending" at
// once with the link or code (and logs it to stderr and as notifications/message); a code flow continued by a new process re-binds its
// loopback port, or, when that port is taken, says so and hands out a new sign-in.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { signIn } from '../helpers/user-agent.js';
import { data, startSignInClient } from './harness.js';

const as = useAuthorizationServer();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A server process on a shared directory (its file store survives the process). */
function serverOn(dir: string): Promise<ServerProcess> {
  const { confidential } = as().clients;
  return startServerProcess({
    dir,
    config: {
      providers: { work: { issuer: as.issuer, ...confidential, scopes: ['openid', 'offline_access'] } },
      defaultProvider: 'work',
    },
  });
}

describe('no browser and no URL elicitation', () => {
  it('returns pending at once with the authorization URL, and writes the link to stderr', async () => {
    const mcp = await startSignInClient(as());
    try {
      const started = Date.now();
      const result = data(await mcp.call('oauth_authenticate_user', {}));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result).toMatchObject({ status: 'pending', flow: 'authorization_code', browser_opened: false });
      expect(result.message).toContain(`call oauth_authenticate_user with flow_id "${result.flow_id}"`);
      expect(result).not.toHaveProperty('next');
      expect(mcp.stderr()).toContain(`open ${result.authorization_url}`);
    } finally {
      await mcp.close();
    }
  });

  it('also sends the link as a log message (notifications/message) to clients that show server logs', async () => {
    const mcp = await startSignInClient(as());
    const messages: string[] = [];
    (mcp.client as Client).setNotificationHandler('notifications/message', (notification) => {
      messages.push(String(notification.params.data));
    });
    try {
      const result = data(await mcp.call('oauth_authenticate_user', { wait_seconds: 0 }));
      for (let i = 0; i < 20 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(messages).toContain(`Sign in to work: open ${result.authorization_url}`);
    } finally {
      await mcp.close();
    }
  });

  it('returns pending at once with the device code, and writes it to stderr', async () => {
    const mcp = await startSignInClient(as());
    try {
      const started = Date.now();
      const result = data(
        await mcp.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 50 }),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.status).toBe('pending');
      expect(mcp.stderr()).toContain(`enter the code ${result.user_code}`);
    } finally {
      await mcp.close();
    }
  });

  it('refuses wait_seconds above 50 (hosts give up at about 60 s)', async () => {
    const mcp = await startSignInClient(as());
    try {
      const result = await mcp.call('oauth_authenticate_user', { wait_seconds: 51 });
      expect(result.isError).toBe(true);
    } finally {
      await mcp.close();
    }
  });
});

describe('a code flow continued by another process', () => {
  it('re-binds the loopback port of the first process and completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-rebind-'));
    dirs.push(dir);
    const first = await serverOn(dir);
    const started = data(await first.call('oauth_authenticate_user', { wait_seconds: 0 }));
    await first.close();

    const second = await serverOn(dir);
    try {
      const waiting = second.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 20 });
      let callback: { status: number } | undefined;
      for (let attempt = 0; attempt < 40 && !(callback && callback.status === 200); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        callback = await signIn(started.authorization_url, { login: 'dora', followCallback: true }).catch(
          () => undefined,
        );
      }
      const done = data(await waiting);
      expect(done.status).toBe('authenticated');
      expect(done.session).toMatchObject({ subject: 'dora', provider: 'work' });
    } finally {
      await second.close();
    }
  });

  it('says the listener is gone and offers a new sign-in when its port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-rebind-'));
    dirs.push(dir);
    const first = await serverOn(dir);
    const started = data(await first.call('oauth_authenticate_user', { wait_seconds: 0 }));
    await first.close();
    const port = Number(
      new URL(new URL(started.authorization_url).searchParams.get('redirect_uri') ?? '').port,
    );
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));

    const second = await serverOn(dir);
    try {
      const result = data(
        await second.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 5 }),
      );
      expect(result.status).toBe('pending');
      expect(result.flow_id).not.toBe(started.flow_id);
      expect(result.authorization_url).not.toBe(started.authorization_url);
      expect(result.message).toContain('no longer works');
      const old = await second.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 0 });
      expect(old.isError).toBe(true);
    } finally {
      await second.close();
      squatter.close();
    }
  });
});
