// Crash safety of the keychain backend: a process SIGKILLed in a loop of chunked writes leaves every value
// readable (the head is the commit point) and never loses the last value whose write had returned.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeychainStore } from '../../src/store/keychain-store.js';
import { keyringSkipReason, secretTool } from '../helpers/secret-service.js';

const skipReason = await keyringSkipReason();
if (skipReason) console.warn(`keychain crash tests skipped: ${skipReason}`);

const DIST_STORE = resolve(import.meta.dirname, '../../dist/store/keychain-store.js');
const LIMIT = { maxBytes: 512, encoding: 'utf8' as const };

describe.skipIf(skipReason)('KeychainStore killed mid-write', () => {
  const service = `oauth-mcp-test-${randomBytes(6).toString('hex')}`;
  let lockDir: string;

  beforeAll(() => {
    lockDir = mkdtempSync(join(tmpdir(), 'oauth-mcp-keychain-crash-'));
  });
  afterAll(async () => {
    await secretTool.clear(service);
    rmSync(lockDir, { recursive: true, force: true });
  });

  it('keeps the last committed refresh token readable after SIGKILL, round after round', async () => {
    for (let round = 0; round < 3; round++) {
      const source = `
        const { KeychainStore } = await import(${JSON.stringify(DIST_STORE)});
        const store = new KeychainStore(${JSON.stringify({ service, lockDir, reason: 'writer', itemLimit: LIMIT })});
        for (let n = 1; n <= 200; n++) {
          const record = { v: 1, n, refresh_token: 'rt-' + ${round} + '-' + n, pad: 'p'.repeat(1500 + n) };
          await store.set('session:crash', JSON.stringify(record));
          process.stdout.write('committed ' + n + '\\n');
        }`;
      const writer = spawn(process.execPath, ['--input-type=module', '-e', source], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let committed = 0;
      writer.stdout.setEncoding('utf8').on('data', (text: string) => {
        for (const m of text.matchAll(/committed (\d+)/g)) committed = Number(m[1]);
      });
      const exited = new Promise((r) => writer.once('exit', r));
      while (committed < 2) await sleep(20);
      await sleep(Math.random() * 400);
      writer.kill('SIGKILL');
      await exited;

      const reader = new KeychainStore({ service, lockDir, reason: 'reader', itemLimit: LIMIT });
      try {
        const record = JSON.parse((await reader.get('session:crash')) ?? '{}');
        expect(record.n).toBeGreaterThanOrEqual(committed);
        expect(record.refresh_token).toBe(`rt-${round}-${record.n}`);
        expect(await reader.keys('session:')).toEqual(['session:crash']);
      } finally {
        await reader.close();
      }
    }
  });
});
