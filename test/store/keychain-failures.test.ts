// KeychainStore where no Secret Service answers (runs everywhere): bounded failures as store_unavailable, and
// its lock() held across real processes through lock files in the data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeychainStore } from '../../src/store/keychain-store.js';
import { startSilentBus } from '../helpers/secret-service.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-fail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('KeychainStore without a usable keychain', () => {
  let silentBus: Awaited<ReturnType<typeof startSilentBus>>;
  beforeAll(async () => {
    silentBus = await startSilentBus();
  });
  afterAll(() => silentBus.close());

  it('fails a call on a bus that never answers with store_unavailable after its timeout, then fails fast for a while', async () => {
    const store = new KeychainStore({
      lockDir: dir,
      reason: 'test',
      timeoutMs: 600,
      env: { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: silentBus.address },
    });
    const started = performance.now();
    await expect(store.get('session:a')).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('did not answer within 600 ms'),
    });
    expect(performance.now() - started).toBeLessThan(600 + 1_000);
    // The same dead bus is not waited on again for each call.
    for (const call of [() => store.keys('session:'), () => store.set('session:a', 'x')]) {
      const again = performance.now();
      await expect(call()).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringMatching(/did not answer within 600 ms.*not asked again for \d+ s/),
      });
      expect(performance.now() - again).toBeLessThan(200);
    }
    await store.close();
  });

  it('fails at once with the reason when there is no session bus at all', async () => {
    const store = new KeychainStore({
      lockDir: dir,
      reason: 'test',
      env: { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    const started = performance.now();
    await expect(store.get('session:a')).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringMatching(/OS keychain is not usable: DBus error: .*nonexistent.*Secret Service/),
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    await store.close();
  });
});

describe('KeychainStore.lock across processes', () => {
  const DIST_STORE = resolve(import.meta.dirname, '../../dist/store/keychain-store.js');

  /** Another oauth-mcp process: takes the lock, says so, and holds it for `holdMs` (or until killed). */
  function holdInOtherProcess(
    lockDir: string,
    holdMs: number,
  ): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
    const source = `
      const { KeychainStore } = await import(${JSON.stringify(DIST_STORE)});
      const store = new KeychainStore({ lockDir: ${JSON.stringify(lockDir)}, reason: 'other process' });
      const release = await store.lock('refresh:ses_1');
      process.stdout.write('locked\\n');
      await new Promise((r) => setTimeout(r, ${holdMs}));
      await release();
      await store.close();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    return new Promise((resolveChild, reject) => {
      child.once('error', reject);
      void exited.then(() => reject(new Error('the holder process exited before taking the lock')));
      child.stdout?.once('data', () => resolveChild({ child, exited }));
    });
  }

  it('waits while another process holds the lock and gets it when that process releases it', async () => {
    const store = new KeychainStore({ lockDir: dir, reason: 'test' });
    const other = await holdInOtherProcess(dir, 800);
    await expect(store.lock('refresh:ses_1', { waitMs: 100 })).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    const started = performance.now();
    const release = await store.lock('refresh:ses_1', { waitMs: 10_000 });
    expect(performance.now() - started).toBeGreaterThan(300);
    await release();
    await other.exited;
    await store.close();
  });

  it('takes over at once from a holder process that was killed', async () => {
    const store = new KeychainStore({ lockDir: dir, reason: 'test' });
    const other = await holdInOtherProcess(dir, 60_000);
    other.child.kill('SIGKILL');
    await other.exited;
    const started = performance.now();
    const release = await store.lock('refresh:ses_1', { waitMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    await release();
    await store.close();
  });
});
