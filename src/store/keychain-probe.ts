// Asks the OS keychain, once and briefly, whether it can keep a secret: write, read back, delete.
import { randomBytes } from 'node:crypto';
import { KeychainUnavailableError, type KeychainWorker } from './keychain-worker.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 1_500;

type ProbeResult = { usable: true } | { usable: false; reason: string };

/** One round trip with one deadline (helper start-up included), so the probe never costs more than `timeoutMs`. */
export async function probeKeychain(
  worker: KeychainWorker,
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const account = `~oauth-mcp/probe/${process.pid}-${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('base64url');
  try {
    const [, readBack] = await worker.run(
      [
        { type: 'set', account, value },
        { type: 'get', account },
        { type: 'delete', account },
      ],
      timeoutMs,
    );
    if (readBack !== value)
      return { usable: false, reason: 'the keychain did not return the value just written' };
    return { usable: true };
  } catch (error) {
    if (error instanceof KeychainUnavailableError) return { usable: false, reason: error.reason };
    throw error;
  }
}
