// A real Secret Service for tests: the ambient one (scripts/test.sh), a private bus + gnome-keyring that a
// test can kill mid-session, `secret-tool` as a second process, and a bus that accepts but never answers.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { probeKeychain } from '../../src/store/keychain-probe.js';
import { KeychainWorker } from '../../src/store/keychain-worker.js';

/** Set by scripts/test.sh inside its D-Bus session: keychain tests must run (fail, not skip). */
export const KEYRING_REQUIRED = process.env.OAUTH_MCP_TEST_KEYRING === '1';

/** Why the keychain tests cannot run here, or undefined when they can (always undefined when required). */
export async function keyringSkipReason(): Promise<string | undefined> {
  if (KEYRING_REQUIRED) return undefined;
  const worker = new KeychainWorker({ service: 'oauth-mcp-test-probe' });
  const probe = await probeKeychain(worker, 3_000);
  worker.close();
  if (probe.usable && hasCommand('secret-tool')) return undefined;
  const reason = probe.usable ? 'secret-tool is not installed' : `no usable Secret Service (${probe.reason})`;
  return `${reason}; run the suite through scripts/test.sh with gnome-keyring, dbus, dbus-x11 and libsecret-tools installed`;
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

const run = promisify(execFile);

/** `secret-tool` in its own process, on the bus of `env` (default: the ambient session bus). */
export const secretTool = {
  async lookup(service: string, account: string, env = process.env): Promise<string | undefined> {
    const result = await run('secret-tool', ['lookup', 'service', service, 'username', account], {
      env,
    }).catch(() => undefined);
    return result?.stdout;
  },
  async accounts(service: string, env = process.env): Promise<string[]> {
    const { stdout, stderr } = await run('secret-tool', ['search', '--all', 'service', service], { env });
    return [...`${stdout}\n${stderr}`.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1] as string);
  },
  /** Overwrites the item keyring-rs wrote (same attributes: service + username). */
  store(service: string, account: string, value: string, env = process.env): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'secret-tool',
        ['store', '--label', 'test', 'service', service, 'username', account],
        {
          env,
          stdio: ['pipe', 'ignore', 'inherit'],
        },
      );
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`secret-tool store exited ${code}`)),
      );
      child.stdin.end(value);
    });
  },
  async clear(service: string, env = process.env): Promise<void> {
    await run('secret-tool', ['clear', 'service', service], { env }).catch(() => undefined);
  },
};

export interface PrivateSecretService {
  /** DBUS_SESSION_BUS_ADDRESS and XDG dirs for processes that should use this keyring. */
  env: NodeJS.ProcessEnv;
  /** Kills gnome-keyring-daemon: the bus stays, nothing on it answers for the Secret Service any more. */
  killKeyring(): void;
  stop(): Promise<void>;
}

/**
 * A private session bus without service activation (so a killed keyring stays gone) and an unlocked
 * gnome-keyring-daemon on it, in temp dirs. Resolves once the keyring answers.
 */
export async function startPrivateSecretService(): Promise<PrivateSecretService> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keyring-'));
  for (const sub of ['data', 'runtime']) mkdirSync(join(dir, sub), { mode: 0o700 });
  const address = `unix:path=${join(dir, 'bus')}`;
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>${address}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
  );
  const bus = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--print-address'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    bus.once('error', reject);
    bus.stdout?.once('data', () => resolve());
  });
  const env = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: address,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: join(dir, 'runtime'),
  };
  const keyring: ChildProcess = spawn(
    'gnome-keyring-daemon',
    ['--foreground', '--unlock', '--components=secrets'],
    { env, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  keyring.stdin?.end('private-keyring-password');
  const worker = new KeychainWorker({ service: 'oauth-mcp-test-probe', env });
  try {
    for (let attempt = 0; ; attempt++) {
      const probe = await probeKeychain(worker, 3_000);
      if (probe.usable) break;
      if (attempt === 50) throw new Error(`the private gnome-keyring never answered: ${probe.reason}`);
      await sleep(100);
    }
  } finally {
    worker.close();
  }
  return {
    env,
    killKeyring: () => keyring.kill('SIGKILL'),
    stop: async () => {
      keyring.kill('SIGKILL');
      bus.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unix socket that accepts D-Bus connections and never answers: the call that blocks forever. */
export async function startSilentBus(): Promise<{ address: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-silent-bus-'));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const path = join(dir, 'bus');
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix:path=${path}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
