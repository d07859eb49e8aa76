// The keychain helper process on a real (private) gnome-keyring: it keeps answering however many keychain
// calls a long-running server makes (each call's Entry holds a D-Bus connection until it is collected).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeychainWorker } from '../../src/store/keychain-worker.js';
import {
  hasCommand,
  KEYRING_REQUIRED,
  type PrivateSecretService,
  startPrivateSecretService,
} from '../helpers/secret-service.js';

const available = KEYRING_REQUIRED || (hasCommand('gnome-keyring-daemon') && hasCommand('dbus-daemon'));
if (!available) console.warn('keychain worker tests skipped: gnome-keyring and dbus are not installed');

describe.skipIf(!available)('KeychainWorker on a private gnome-keyring', () => {
  let keyring: PrivateSecretService;
  beforeAll(async () => {
    keyring = await startPrivateSecretService();
  });
  afterAll(() => keyring.stop());

  it("answers 600 calls, in one batch and in many, past the bus's limit of 256 connections per user", async () => {
    const worker = new KeychainWorker({ service: 'oauth-mcp-test-worker', env: keyring.env });
    try {
      const batch = Array.from({ length: 300 }, (_, i) => ({
        type: 'get' as const,
        account: `missing-${i}`,
      }));
      expect(await worker.run(batch, 60_000)).toEqual(batch.map(() => null));
      for (let i = 0; i < 300; i++) {
        const [value] = await worker.run([{ type: 'get', account: `missing-${i}` }], 10_000);
        expect(value).toBeNull();
      }
    } finally {
      worker.close();
    }
  }, 120_000);
});
